# Profile-guided build of the sweep engine (docs/internals/build.md, "The sweep engine's PGO
# build"). RK_SWEEP_PGO is AUTO (the default), ON or OFF; this file resolves it once a configure
# into RK_SWEEP_PGO_ENABLED, which engines/sweep/CMakeLists.txt reads.
#
# AUTO means ON for a native GCC Release or RelWithDebInfo build with Python 3 (the training
# data's generator), and OFF for everything else: a sanitizer, fuzz or coverage build (their
# own instrumentation, and nobody times them), clang (a different profile format and driver),
# a cross-compile (the training binary cannot run on the build machine), Debug and
# MinSizeRel. It is resolved on every configure, so a build directory reconfigured with
# RK_SANITIZE set turns it off without clearing the cache.
set(RK_SWEEP_PGO AUTO CACHE STRING "Profile-guided build of the sweep engine: AUTO, ON or OFF")
set_property(CACHE RK_SWEEP_PGO PROPERTY STRINGS AUTO ON OFF)

find_package(Python3 COMPONENTS Interpreter QUIET)

set(_rk_pgo_why "")
if(NOT CMAKE_C_COMPILER_ID STREQUAL "GNU")
  set(_rk_pgo_why "the compiler is ${CMAKE_C_COMPILER_ID}, not GCC")
elseif(CMAKE_CROSSCOMPILING)
  set(_rk_pgo_why "cross-compiling: the training binary cannot run here")
elseif(NOT Python3_Interpreter_FOUND)
  set(_rk_pgo_why "no Python 3 to generate the training data")
endif()
set(_rk_pgo_auto_why "${_rk_pgo_why}")
if(_rk_pgo_auto_why STREQUAL "")
  if(RK_SANITIZE OR RK_FUZZ)
    set(_rk_pgo_auto_why "a sanitizer or fuzz build")
  elseif(CMAKE_C_FLAGS MATCHES "coverage|profile-arcs|fprofile")
    set(_rk_pgo_auto_why "coverage or profile flags already in CMAKE_C_FLAGS")
  elseif(NOT CMAKE_BUILD_TYPE MATCHES "^(Release|RelWithDebInfo)$")
    set(_rk_pgo_auto_why "build type '${CMAKE_BUILD_TYPE}' (only Release and RelWithDebInfo)")
  endif()
endif()

if(RK_SWEEP_PGO STREQUAL "AUTO")
  if(_rk_pgo_auto_why STREQUAL "")
    set(RK_SWEEP_PGO_ENABLED ON)
  else()
    set(RK_SWEEP_PGO_ENABLED OFF)
    message(STATUS "Sweep engine PGO: off (${_rk_pgo_auto_why})")
  endif()
elseif(RK_SWEEP_PGO)
  if(NOT _rk_pgo_why STREQUAL "")
    message(FATAL_ERROR "RK_SWEEP_PGO=ON cannot be honoured: ${_rk_pgo_why}")
  endif()
  set(RK_SWEEP_PGO_ENABLED ON)
else()
  set(RK_SWEEP_PGO_ENABLED OFF)
  message(STATUS "Sweep engine PGO: off (RK_SWEEP_PGO=OFF)")
endif()
if(RK_SWEEP_PGO_ENABLED)
  message(STATUS "Sweep engine PGO: on (trained at build time; -DRK_SWEEP_PGO=OFF turns it off)")
endif()
