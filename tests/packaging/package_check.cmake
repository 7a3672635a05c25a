# package_deb_test: `cpack -G DEB` with the build tree's CPackConfig.cmake
# into a temp dir, then, without root:
#   dpkg-deb -c: the binary, the unit, /etc/switchboard/config.toml (the
#     repository's) and switchboard.env (root-owned, mode 0640);
#   dpkg-deb -I: the package's name, its library Depends, both /etc files as
#     conffiles, and the maintainer scripts;
#   the files themselves: the unit restarts always, with its hardening; the
#     env file holds placeholders only;
#   systemd-analyze verify on the unit (ExecStart pointed at the built binary,
#     which the check requires to exist), skipped when systemd-analyze is absent.
# cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DSWITCHBOARD=... -P package_check.cmake

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${ARGN} failed (${rc}):\n${out}\n${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

function(expect what text pattern)
  if(NOT "${text}" MATCHES "${pattern}")
    message(FATAL_ERROR "${what}: no match for '${pattern}' in:\n${text}")
  endif()
endfunction()

run(mktemp -d /tmp/switchboard-deb-XXXXXX)
string(STRIP "${out}" dir)

run(cpack -G DEB --config ${BUILD_DIR}/CPackConfig.cmake -B ${dir})
file(GLOB debs ${dir}/switchboard_*.deb)
list(LENGTH debs n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one switchboard_*.deb in ${dir}, found: ${debs}")
endif()

run(dpkg-deb -c ${debs})
set(listing "${out}")
expect("binary" "${listing}" "-rwxr-xr-x root/root +[0-9]+ [^\n]* \\./usr/bin/switchboard\n")
expect("unit" "${listing}" "root/root +[0-9]+ [^\n]* \\./lib/systemd/system/switchboard\\.service\n")
expect("config" "${listing}" "-rw-r--r-- root/root +[0-9]+ [^\n]* \\./etc/switchboard/config\\.toml\n")
expect("env file, 0640" "${listing}"
       "-rw-r----- root/root +[0-9]+ [^\n]* \\./etc/switchboard/switchboard\\.env\n")

run(dpkg-deb -I ${debs})
set(info "${out}")
expect("name" "${info}" "Package: switchboard\n")
expect("library dependencies" "${info}" "Depends: [^\n]*libcaf-core0\\.17")
expect("unit's dependency" "${info}" "Depends: [^\n]*systemd")
run(dpkg-deb -I ${debs} conffiles)
expect("conffiles" "${out}" "/etc/switchboard/config\\.toml\n/etc/switchboard/switchboard\\.env")
foreach(script postinst prerm postrm)
  expect("maintainer script" "${info}" " ${script} ")
endforeach()

run(dpkg-deb -x ${debs} ${dir}/root)
file(READ ${dir}/root/lib/systemd/system/switchboard.service unit)
foreach(line "Restart=always" "DynamicUser=yes" "ProtectSystem=strict" "NoNewPrivileges=yes"
        "StateDirectory=switchboard" "EnvironmentFile=/etc/switchboard/switchboard.env"
        "ExecStart=/usr/bin/switchboard serve --config /etc/switchboard/config.toml")
  expect("unit" "${unit}" "\n${line}\n")
endforeach()
expect("unit restarts within a second" "${unit}" "\nRestartSec=([0-9]+ms|0|1s?)\n")
file(READ ${dir}/root/etc/switchboard/config.toml installed)
file(READ ${SOURCE_DIR}/config.toml repo)
if(NOT installed STREQUAL repo)
  message(FATAL_ERROR "/etc/switchboard/config.toml is not the repository's config.toml")
endif()
# Every secret in the env file is a placeholder.
file(STRINGS ${dir}/root/etc/switchboard/switchboard.env env_lines REGEX "^[A-Z_]+=")
foreach(l ${env_lines})
  if(l MATCHES "^(TWILIO_AUTH_TOKEN|OPENAI_API_KEY)=" AND NOT l MATCHES "=replace-with-")
    message(FATAL_ERROR "switchboard.env holds a value that is not a placeholder: ${l}")
  endif()
endforeach()

find_program(ANALYZE systemd-analyze)
if(ANALYZE)
  # verify checks that ExecStart is executable: point it at the built binary.
  string(REPLACE "/usr/bin/switchboard" "${SWITCHBOARD}" local_unit "${unit}")
  file(WRITE ${dir}/unit/switchboard.service "${local_unit}")
  run(${ANALYZE} verify --man=no ${dir}/unit/switchboard.service)
  message(STATUS "systemd-analyze verify: the unit is valid")
else()
  message(STATUS "systemd-analyze not found: the unit's verification is skipped")
endif()
file(REMOVE_RECURSE ${dir})
message(STATUS "package ok: ${debs}")
