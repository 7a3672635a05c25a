/* An experiment, not part of the build: LD_PRELOAD this into the server to
 * count its heap allocations (issue 15.2: allocations per relayed frame).
 *   gcc -O2 -shared -fPIC -pthread -o /tmp/malloc_count.so malloc_count_preload.c
 *   MALLOC_COUNT_OUT=/tmp/mc.txt BENCH_SERVER_LD_PRELOAD=/tmp/malloc_count.so \
 *     switchboard-bench ...
 * Every second a thread appends one line to $MALLOC_COUNT_OUT:
 *   <CLOCK_MONOTONIC s> <allocations so far> <frees so far>
 * so the difference of two lines is what a window cost. Allocations are
 * malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign (operator
 * new calls malloc in libstdc++). The real functions are glibc's __libc_*
 * entry points (exported by glibc 2.36), which avoids dlsym's own calloc. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void __libc_free(void*);
extern void* __libc_memalign(size_t, size_t);

static atomic_ulong allocs, frees;

void* malloc(size_t n) {
  atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(size_t a, size_t b) {
  atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
  return __libc_calloc(a, b);
}
void* realloc(void* p, size_t n) {
  atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
  return __libc_realloc(p, n);
}
void free(void* p) {
  if (p)
    atomic_fetch_add_explicit(&frees, 1, memory_order_relaxed);
  __libc_free(p);
}
void* memalign(size_t a, size_t n) {
  atomic_fetch_add_explicit(&allocs, 1, memory_order_relaxed);
  return __libc_memalign(a, n);
}
void* aligned_alloc(size_t a, size_t n) {
  return memalign(a, n);
}
int posix_memalign(void** out, size_t a, size_t n) {
  void* p = memalign(a, n);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}

static void* reporter(void* path) {
  int fd = open((const char*)path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    return NULL;
  for (;;) { /* until the process exits */
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    char line[96];
    int n = snprintf(line, sizeof line, "%ld.%03ld %lu %lu\n", (long)ts.tv_sec,
                     ts.tv_nsec / 1000000, atomic_load(&allocs), atomic_load(&frees));
    if (write(fd, line, (size_t)n) < 0)
      return NULL;
    sleep(1);
  }
}

__attribute__((constructor)) static void start_reporter(void) {
  const char* path = getenv("MALLOC_COUNT_OUT");
  if (!path || !*path)
    return;
  static char copy[512];
  strncpy(copy, path, sizeof copy - 1);
  pthread_t t;
  if (pthread_create(&t, NULL, reporter, copy) == 0)
    pthread_detach(t);
}
