# app_demo_alone_test (issue 18 item 6, "the binary alone"): an installed
# binary has no build or source tree beside it. A copy of `switchboard`,
# alone in a fresh empty folder, run there as `./switchboard demo` with a
# clean environment (HOME = that folder, no SWITCHBOARD_* variable, no
# config.toml) must complete the demo call and print its job card, while the
# build and source trees are hidden from it: the run happens in a private
# mount namespace (util-linux unshare) where an empty tmpfs covers both, so
# a path compiled in that points there finds nothing, as on another machine.
# No sanitizer options are passed either: an ASan build still fails the test
# on an ASan error (non-zero exit), and its UBSan suppressions file lives in
# the hidden source tree.
# cmake -DSWITCHBOARD=... -DBUILD_DIR=... -DSOURCE_DIR=... -P demo_alone.cmake

execute_process(COMMAND mktemp -d /tmp/switchboard-alone-XXXXXX
  OUTPUT_VARIABLE dir OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "mktemp failed")
endif()
file(COPY ${SWITCHBOARD} DESTINATION ${dir})

# As root (CI) a mount namespace needs no more; elsewhere a user namespace
# maps the caller to root inside it.
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
set(unshare unshare --mount)
if(NOT uid EQUAL 0)
  set(unshare unshare --map-root-user --mount)
endif()
# The build tree first: it may lie inside the source tree.
set(hide_and_run [=[
mount -t tmpfs sb-hidden "$1" && mount -t tmpfs sb-hidden "$2" &&
test ! -e "$1/CMakeCache.txt" && cd "$3" &&
exec env -i HOME="$3" PATH=/usr/bin:/bin ./switchboard demo]=])
# A container without CAP_SYS_ADMIN and without user namespaces cannot make
# the namespace: then the copy runs unhidden, which still catches a missing
# clip or a file read from the working folder, and says so.
execute_process(COMMAND ${unshare} true RESULT_VARIABLE can_hide OUTPUT_QUIET ERROR_QUIET)
if(NOT can_hide EQUAL 0)
  message(STATUS "no mount namespace here: the build and source trees stay visible")
  set(unshare)
  set(hide_and_run [=[cd "$3" && exec env -i HOME="$3" PATH=/usr/bin:/bin ./switchboard demo]=])
endif()
execute_process(
  COMMAND ${unshare} sh -c "${hide_and_run}" sh ${BUILD_DIR} ${SOURCE_DIR} ${dir}
  TIMEOUT 200 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "exit ${rc}; stdout:\n${out}\nstderr:\n${err}")

set(failures "")
if(NOT rc EQUAL 0)
  list(APPEND failures "the demo exited ${rc}")
endif()
foreach(part "JOB CARD (from SQLite)" "status: new" "Customer:   Jane Doe"
             "Where:      42 Elm Street, Springfield" "Push notifications delivered to the business: 1"
             "Scenario booking: went as expected")
  string(FIND "${out}" "${part}" at)
  if(at EQUAL -1)
    list(APPEND failures "stdout lacks \"${part}\"")
  endif()
endforeach()
# The demo keeps its files in a temporary folder of its own: the working
# folder still holds the binary alone.
file(GLOB left RELATIVE ${dir} ${dir}/*)
if(NOT left STREQUAL "switchboard")
  list(APPEND failures "the working folder now holds: ${left}")
endif()

file(REMOVE_RECURSE ${dir})
if(failures)
  list(JOIN failures "\n  " text)
  message(FATAL_ERROR "the binary alone did not run the demo:\n  ${text}")
endif()
message(STATUS "the binary alone ran the demo to its job card")
