# Run by CTest (tests/actors/CMakeLists.txt): syntax-checks accepted.cpp
# (must pass) and rejected.cpp (must fail for the interface's reason).
set(flags -std=c++20 -fsyntax-only -I${ROOT} -I${RAPIDJSON} -DRAPIDJSON_HAS_STDSTRING=1)

execute_process(COMMAND ${CXX} ${flags} ${DIR}/accepted.cpp
  RESULT_VARIABLE ok_rc ERROR_VARIABLE ok_err)
if(NOT ok_rc EQUAL 0)
  message(FATAL_ERROR "accepted.cpp must compile, but:\n${ok_err}")
endif()

foreach(case RANGE 1 4)
  execute_process(COMMAND ${CXX} ${flags} -DCASE=${case} ${DIR}/rejected.cpp
    RESULT_VARIABLE bad_rc ERROR_VARIABLE bad_err)
  if(bad_rc EQUAL 0)
    message(FATAL_ERROR "rejected.cpp case ${case} compiled: a wrong message got through")
  endif()
  string(FIND "${bad_err}" "receiver does not accept given message" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "rejected.cpp case ${case} failed, but not for the interface:\n${bad_err}")
  endif()
  message(STATUS "case ${case}: refused by the interface, as it should be")
endforeach()
message(STATUS "1 passed, 0 failed")
