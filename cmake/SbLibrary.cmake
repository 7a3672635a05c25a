# sb_library(NAME DIR LIBS...): a static library of every .cpp in DIR.
# Globbing keeps each folder's owner out of the other folders' build files.
function(sb_library name)
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cpp)
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_link_libraries(${name} PUBLIC ${ARG_LIBS})
  else()
    add_library(${name} INTERFACE)
    target_link_libraries(${name} INTERFACE ${ARG_LIBS})
  endif()
endfunction()

# sb_test(NAME SOURCES... LIBS ... [SERIAL]): a Boost.Test executable
# registered with CTest (shared Boost.Test library: ~2 s per test TU instead
# of ~22 s). SERIAL: the test checks real-time bounds (a frame or two of
# audio), so CTest runs it alone (RUN_SERIAL) while the other tests, which
# mostly wait on real-time audio, share the machine (scripts/test.sh -j);
# its label `serial` makes scripts/test.sh also pause the background build
# while it runs.
function(sb_test name)
  cmake_parse_arguments(ARG "SERIAL" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Boost::unit_test_framework)
  target_compile_definitions(${name} PRIVATE BOOST_TEST_DYN_LINK
    SB_SOURCE_DIR="${PROJECT_SOURCE_DIR}" SB_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name} --color_output=no --log_level=test_suite)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(SB_TSAN) # TSan runs code 5-15x slower (docs/stack.md 7)
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * 3")
    # and a test leaves out its real-time bounds there (each says why)
    target_compile_definitions(${name} PRIVATE SB_TSAN=1)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  if(ARG_SERIAL)
    list(APPEND ARG_LABELS serial)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
