#!/usr/bin/env bash
# Compiles corpus modules for xtensawin with Debian's LLVM 22 as mpyld build
# does without xtensa-esp32-elf-gcc: clang-22 to assembly (the ESP32's
# features one by one, no -fpic, no jump tables, picolibc's headers), then
# llvm-mc-22 -mcpu=esp32. Objects go to <module>/ and <module>/sections/
# (-ffunction-sections -fdata-sections), with the qstr config header
# (mpyld preprocess). Run from this folder: bash gen.sh path/to/mpyld
set -eu
mpyld=${1:-mpyld}
corpus=../../../testdata/corpus
feat=()
for f in windowed density loop sext nsa mul32 mul32high div32 minmax clamps bool fp s32c1i threadptr mac16 mul16; do
  feat+=(-Xclang -target-feature -Xclang +$f)
done
cflags=(--target=xtensa "${feat[@]}" -fno-jump-tables -nostdlibinc -isystem /usr/lib/xtensa-lx106-elf/include
  -std=c99 -Os -Wall -Werror -DNDEBUG -DNO_QSTR -DMICROPY_ENABLE_DYNRUNTIME -fno-common -U_FORTIFY_SOURCE
  -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_FLOAT -I. -I$corpus/include)
for m in hello multi tables statq weak memops statdata; do
  for out in $m $m/sections; do
    mkdir -p $out
    extra=()
    [ $out = $m ] || extra=(-ffunction-sections -fdata-sections)
    "$mpyld" preprocess -o $out/$m.config.h $corpus/$m/*.c
    for c in $corpus/$m/*.c; do
      o=$out/$(basename ${c%.c})
      clang-22 "${cflags[@]}" "${extra[@]}" "-DMP_CONFIGFILE=<$out/$m.config.h>" -S -o $o.s $c
      llvm-mc-22 -triple=xtensa -mcpu=esp32 -filetype=obj -o $o.o $o.s
      rm $o.s
    done
  done
done
clang-22 "${cflags[@]}" -fno-builtin -S -o strlen.s ../strlen/strlen.c
llvm-mc-22 -triple=xtensa -mcpu=esp32 -filetype=obj -o strlen.o strlen.s
rm strlen.s
