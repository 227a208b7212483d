# embed_migrations.cmake: turns a backend's numbered migration files into a C source file.
#
# Run by src/store/CMakeLists.txt at build time (cmake -P) whenever a migration changes:
#   -DDIR=<folder of NNNN_name.sql files> -DOUT=<generated .c> -DSYMBOL=<array name>
#   -DLABEL=<folder as the comment names it>
# The files must be numbered 0001, 0002, ... without gaps; anything else fails the build.
file(GLOB files "${DIR}/*.sql")
list(SORT files)

set(body "")
set(table "")
set(expect 1)
foreach(f ${files})
  get_filename_component(name "${f}" NAME_WE)
  if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_[a-z0-9_]+$")
    message(FATAL_ERROR "migration file ${f}: name must be NNNN_lower_case.sql")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  if(NOT version EQUAL expect)
    message(FATAL_ERROR "migration file ${f}: expected number ${expect} (no gaps, no repeats)")
  endif()
  file(READ "${f}" hex HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
  string(REPEAT "0x..," 16 row)
  string(REGEX REPLACE "(${row})" "\\1\n    " bytes "${bytes}")
  string(APPEND body "static const char m${version}[] = {\n    ${bytes}0x00};\n\n")
  string(APPEND table "    {${version}, \"${name}\", m${version}},\n")
  math(EXPR expect "${expect} + 1")
endforeach()
math(EXPR count "${expect} - 1")
if(count EQUAL 0)
  message(FATAL_ERROR "no migrations in ${DIR}")
endif()

file(WRITE "${OUT}"
"/*
 * Generated from the .sql files in ${LABEL}/ by src/store/embed_migrations.cmake at
 * build time: the migrations, in order, that the backend applies at open.
 * Do not edit; edit the .sql files.
 */
#include \"store/store_int.h\"

${body}const struct sync_store_migration ${SYMBOL}[] = {
${table}};

const size_t ${SYMBOL}_count = ${count};
")
