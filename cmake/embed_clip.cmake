# cmake -DIN=clip.ulaw -DOUT=clip.cpp -DNS=sb::actors -DFN=apology_audio -P embed_clip.cmake
file(READ ${IN} hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace ${NS} {\nnamespace { const char data[] = {${bytes}}; }\nstd::string_view ${FN}() { return {data, sizeof data}; }\n}\n")
