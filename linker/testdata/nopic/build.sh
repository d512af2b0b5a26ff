#!/usr/bin/env bash
# Rebuilds the objects compiled without -fpic.
set -eu
cd "$(dirname "$0")"
gcc -fno-pic -Os -c -o x64.o nopic.c
gcc -m32 -fno-pic -Os -c -o x86.o nopic.c
