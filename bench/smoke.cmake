# bench_smoke: run a short load and check its JSON exists and says what the
# exit code says (cmake -P, so that CTest needs no shell). EXTRA: more
# switchboard-bench flags (bench_smoke_bursty: --bursty).
file(REMOVE ${OUT})
separate_arguments(extra UNIX_COMMAND "${EXTRA}")
execute_process(
  COMMAND ${BENCH} --switchboard ${SWITCHBOARD} --calls 20 --duration 10
          --function-calls 0.25 --barge-ins 0.25 ${extra} --out ${OUT}
  RESULT_VARIABLE rc)
if(NOT EXISTS ${OUT})
  message(FATAL_ERROR "switchboard-bench wrote no JSON (${OUT})")
endif()
file(READ ${OUT} json)
string(JSON failed GET "${json}" totals failed_calls)
string(JSON lost GET "${json}" totals bytes_lost)
string(JSON dup GET "${json}" totals bytes_duplicated)
string(JSON calls GET "${json}" totals calls)
message(STATUS "calls ${calls}, failed ${failed}, bytes lost ${lost}, duplicated ${dup}")
if(NOT rc EQUAL 0 OR NOT failed EQUAL 0 OR NOT lost EQUAL 0 OR NOT dup EQUAL 0 OR NOT calls EQUAL 20)
  message(FATAL_ERROR "bench smoke failed (exit ${rc})")
endif()
