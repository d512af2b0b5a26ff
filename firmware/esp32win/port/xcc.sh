#!/bin/sh
# This file implements the C compiler of mpyld's esp32win firmware, around
# clang-22: usage "sh xcc.sh LLVM-MC LLVM-OBJCOPY LLVM-READELF CLANG ARGS...".
# Clang's integrated assembler puts a function's literal pool unaligned
# inside the previous function's .text section, so an object is compiled to
# assembly, assembled by llvm-mc (which puts literal pools in .literal
# sections), and each .literal section's alignment, which llvm-mc sets to
# 1, is set to 4. Anything else (preprocessing) runs CLANG as it is.
# Only the objects' own -o is rewritten: an argument equal to the output
# path elsewhere on the line would be too (the Makefile passes none).
set -e
mc=$1 objcopy=$2 readelf=$3
shift 3
compile=0 deps=0 out= prev=
for a do
    case $a in -c) compile=1 ;; -MD) deps=1 ;; esac
    if [ "$prev" = -o ]; then out=$a; fi
    prev=$a
done
if [ $compile = 0 ] || [ -z "$out" ]; then
    exec "$@"
fi
for a do
    shift
    if [ "$a" = -c ]; then
        set -- "$@" -S
    elif [ "$a" = "$out" ]; then
        set -- "$@" "$out.s"
    else
        set -- "$@" "$a"
    fi
done
# The dependency file names the object, not the assembly.
if [ $deps = 1 ]; then
    set -- "$@" -MT "$out"
fi
# clang-22 stops on a select between two float constants when the FPU is on
# ("Cannot select ... TargetConstantPool"): such a file is compiled without
# it, and calls rt.c's soft-float helpers.
if ! "$@" 2>"$out.err"; then
    if grep -q 'Cannot select.*TargetConstantPool' "$out.err"; then
        echo "$out: clang-22 cannot compile this with the FPU: compiled without it" >&2
        rm -f "$out.err"
        "$@" -Xclang -target-feature -Xclang -fp
    else
        cat "$out.err" >&2
        rm -f "$out.err"
        exit 1
    fi
fi
if [ -f "$out.err" ]; then
    cat "$out.err" >&2
    rm -f "$out.err"
fi
"$mc" -triple=xtensa -mcpu=esp32 -filetype=obj -o "$out" "$out.s"
set --
for s in $("$readelf" -S -W "$out" | sed -n 's/.*\] \(\.literal[^ ]*\) .*/\1/p'); do
    set -- "$@" "--set-section-alignment=$s=4"
done
if [ $# -gt 0 ]; then
    "$objcopy" "$@" "$out"
fi
rm -f "$out.s"
