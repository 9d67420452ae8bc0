# Helpers shared by every CMakeLists.txt in the tree.
#
#   rk_register_lib(target)          — the `renkei` binary links every registered library.
#   rk_add_unit_test(name SOURCES … LIBS …)
#                                    — a cmocka test executable, registered with ctest under the
#                                      label "unit" (run one suite: ctest -R <name>).
#   rk_add_fuzzer(name SOURCES … LIBS … CORPUS dir)
#                                    — with RK_FUZZ=ON a libFuzzer binary `fuzz_<name>`; otherwise a
#                                      replay binary that runs every file of the committed corpus
#                                      through the same entry point, as a ctest labelled "fuzz".

set(RK_WARN_FLAGS -Wall -Wextra -Wstrict-prototypes -Wshadow -Wno-unused-parameter)
if(RK_WERROR)
  list(APPEND RK_WARN_FLAGS -Werror)
endif()
add_compile_options("$<$<COMPILE_LANGUAGE:C>:${RK_WARN_FLAGS}>")
add_compile_definitions(_GNU_SOURCE)

if(RK_SANITIZE)
  add_compile_options(-fsanitize=${RK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${RK_SANITIZE})
  add_compile_definitions(RK_SANITIZED=1)
endif()
if(RK_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(RK_FUZZING=1)
endif()

set_property(GLOBAL PROPERTY RK_LIBS "")
function(rk_register_lib target)
  set_property(GLOBAL APPEND PROPERTY RK_LIBS ${target})
endfunction()

find_library(CMOCKA_LIB cmocka)

function(rk_add_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(test_${name} ${T_SOURCES})
  target_link_libraries(test_${name} PRIVATE ${T_LIBS} ${CMOCKA_LIB})
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit
    ENVIRONMENT "RK_SOURCE_DIR=${CMAKE_SOURCE_DIR};RK_BINARY_DIR=${CMAKE_BINARY_DIR}")
endfunction()

file(WRITE ${CMAKE_BINARY_DIR}/fuzzers.txt "")
function(rk_add_fuzzer name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  if(RK_FUZZ)
    add_executable(fuzz_${name} ${F_SOURCES})
    target_link_libraries(fuzz_${name} PRIVATE ${F_LIBS})
    target_link_options(fuzz_${name} PRIVATE -fsanitize=fuzzer)
    # scripts/fuzz-smoke.sh reads this list: one "binary corpus-dir" pair a line.
    file(APPEND ${CMAKE_BINARY_DIR}/fuzzers.txt "${CMAKE_CURRENT_BINARY_DIR}/fuzz_${name} ${F_CORPUS}\n")
  else()
    add_executable(replay_${name} ${F_SOURCES} ${CMAKE_SOURCE_DIR}/fuzz/replay-main.c)
    target_link_libraries(replay_${name} PRIVATE ${F_LIBS})
    add_test(NAME fuzz_replay_${name} COMMAND replay_${name} ${F_CORPUS})
    set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz)
  endif()
endfunction()
