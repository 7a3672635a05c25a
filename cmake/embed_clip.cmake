# cmake -DIN=clip.ulaw -DOUT=clip.cpp -DNS=sb::actors -DFN=apology_audio -P embed_clip.cmake
include(${CMAKE_CURRENT_LIST_DIR}/c_bytes.cmake)
c_bytes(${IN} bytes)
file(WRITE ${OUT} "// Generated from ${IN}; do not edit.\n#include <string_view>\nnamespace ${NS} {\nnamespace { const char data[] = {${bytes}}; }\nstd::string_view ${FN}() { return {data, sizeof data}; }\n}\n")
