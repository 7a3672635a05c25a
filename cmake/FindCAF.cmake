# Debian's libcaf-dev (0.17.6) ships neither a CMake config nor a .pc file
# (see docs/stack.md), so find the headers and libraries by hand and expose
# the imported target CAF::core (nothing here needs caf_io or caf_openssl).
# SB_CAF_ROOT: use only the CAF installed there (the ThreadSanitizer build
# links a CAF built with TSan by scripts/caf_tsan.sh; docs/stack.md).
if(SB_CAF_ROOT)
  set(_caf_where PATHS "${SB_CAF_ROOT}" NO_DEFAULT_PATH)
endif()
find_path(CAF_INCLUDE_DIR caf/all.hpp PATH_SUFFIXES include ${_caf_where})
find_library(CAF_CORE_LIBRARY caf_core PATH_SUFFIXES lib ${_caf_where})

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(CAF REQUIRED_VARS CAF_INCLUDE_DIR CAF_CORE_LIBRARY)

if(CAF_FOUND AND NOT TARGET CAF::core)
  add_library(CAF::core UNKNOWN IMPORTED)
  set_target_properties(CAF::core PROPERTIES
    IMPORTED_LOCATION "${CAF_CORE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${CAF_INCLUDE_DIR}")
endif()
