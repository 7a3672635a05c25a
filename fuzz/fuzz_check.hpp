#pragma once
// What a fuzz target asserts beyond "no crash": a property that must hold
// for every input. A failure aborts, so libFuzzer saves the input.

#include <cstdio>
#include <cstdlib>

#define SB_FUZZ_CHECK(cond)                                                                        \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);       \
      std::abort();                                                                                \
    }                                                                                              \
  } while (0)
