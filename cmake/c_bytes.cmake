# c_bytes(FILE VAR): FILE's bytes as the body of a C++ char array initializer
# ('\x41','\x42',...), for the clips compiled into the binary.
function(c_bytes file var)
  file(READ ${file} hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  set(${var} "${bytes}" PARENT_SCOPE)
endfunction()
