# Stand-in for MicroPython's py/dynruntime.mk, written for mpyld's tests (see
# ../README.md). A natmod Makefile sets MOD, SRC and ARCH (and perhaps
# CFLAGS, LINK_RUNTIME, ...) and includes it; run make with
# MPY_LD=mpyld MPY_TOOL=mpyld.

BUILD ?= build
CONFIG_H = $(BUILD)/$(MOD).config.h
MPY_CROSS = $(MPY_DIR)/bin/mpy-cross
MPY_LD = $(error give MPY_LD=mpyld)
MPY_TOOL = $(error give MPY_TOOL=mpyld)

# The arches: compiler prefix, flags, default float implementation.
standin.x86 := cross= flags=-m32,-fno-stack-protector float=double
standin.x64 := cross= flags=-fno-stack-protector float=double
standin.armv6m := cross=arm-none-eabi- flags=-mthumb,-mcpu=cortex-m0 float=float
standin.armv7m := cross=arm-none-eabi- flags=-mthumb,-mcpu=cortex-m3 float=float
standin.armv7emsp := cross=arm-none-eabi- flags=-mthumb,-mcpu=cortex-m4,-mfpu=fpv4-sp-d16,-mfloat-abi=hard float=float
standin.armv7emdp := cross=arm-none-eabi- flags=-mthumb,-mcpu=cortex-m7,-mfpu=fpv5-d16,-mfloat-abi=hard float=double
standin.xtensa := cross=xtensa-lx106-elf- flags=-mforce-l32 float=none
standin.xtensawin := cross=xtensa-esp32-elf- flags= float=float
standin.rv32imc := cross=riscv64-unknown-elf- flags=-march=rv32imac,-mabi=ilp32,-mno-relax float=none picolibc=rv32imac/ilp32
standin.rv64imc := cross=riscv64-unknown-elf- flags=-march=rv64imac,-mabi=lp64,-mno-relax float=none picolibc=rv64imac/lp64

standin.arch := $(standin.$(ARCH))
ifeq ($(standin.arch),)
$(error architecture '$(ARCH)' not supported)
endif
standin.field = $(patsubst $(1)=%,%,$(filter $(1)=%,$(standin.arch)))
standin.comma := ,

CROSS = $(call standin.field,cross)
CFLAGS_ARCH += -fpic -fno-common -U_FORTIFY_SOURCE $(subst $(standin.comma), ,$(call standin.field,flags))
MICROPY_FLOAT_IMPL ?= $(call standin.field,float)
standin.libm := libm.a
ifneq ($(call standin.field,picolibc),)
standin.specs := $(shell $(CROSS)gcc --print-file-name=picolibc.specs)
ifneq ($(standin.specs),picolibc.specs)
CFLAGS_ARCH += -specs=$(standin.specs)
standin.libm := libc.a
endif
endif

CFLAGS += -I. -I$(MPY_DIR) -std=c99 -Os -Wall -Werror -DNDEBUG -DNO_QSTR -DMICROPY_ENABLE_DYNRUNTIME
CFLAGS += -DMP_CONFIGFILE='<$(CONFIG_H)>'
CFLAGS += $(CFLAGS_ARCH) -DMICROPY_FLOAT_IMPL=MICROPY_FLOAT_IMPL_$(subst none,NONE,$(subst float,FLOAT,$(subst double,DOUBLE,$(MICROPY_FLOAT_IMPL))))

ifeq ($(LINK_RUNTIME),1)
LIBGCC_PATH := $(realpath $(shell $(CROSS)gcc $(CFLAGS) --print-libgcc-file-name))
LIBM_PATH := $(realpath $(shell $(CROSS)gcc $(CFLAGS) --print-file-name=$(standin.libm)))
ifeq ($(LIBM_PATH)$(standin.libm),libc.a)
# picolibc's libc.a, where the compiler does not say
LIBM_PATH := $(realpath /usr/lib/picolibc/$(patsubst %-,%,$(CROSS))/lib/$(call standin.field,picolibc)/libc.a)
endif
MPY_LD_FLAGS += $(addprefix -l,$(LIBGCC_PATH) $(LIBM_PATH))
endif
ifneq ($(MPY_EXTERN_SYM_FILE),)
MPY_LD_FLAGS += --externs "$(realpath $(MPY_EXTERN_SYM_FILE))"
endif
ifneq ($(ARCH_FLAGS),)
MPY_LD_FLAGS += --arch-flags "$(ARCH_FLAGS)"
endif

CFLAGS += $(CFLAGS_EXTRA)
MPY_CROSS_FLAGS += -march=$(ARCH)

standin.objs := $(addprefix $(BUILD)/,$(patsubst %.c,%.o,$(filter %.c,$(SRC))) $(patsubst %.S,%.o,$(filter %.S,$(SRC))))
standin.pys := $(addprefix $(BUILD)/,$(patsubst %.py,%.mpy,$(filter %.py,$(SRC))))

.PHONY: all clean
all: $(MOD).mpy

clean:
	rm -rf $(BUILD) $(MOD).mpy

$(CONFIG_H): $(SRC)
	@mkdir -p $(@D)
	$(MPY_LD) --arch $(ARCH) --preprocess -o $@ $^

$(BUILD)/%.o: %.c $(CONFIG_H)
	@mkdir -p $(@D)
	$(CROSS)gcc $(CFLAGS) -o $@ -c $<

$(BUILD)/%.o: %.S $(CONFIG_H)
	@mkdir -p $(@D)
	$(CROSS)gcc $(CFLAGS) -o $@ -c $<

$(BUILD)/%.mpy: %.py
	@mkdir -p $(@D)
	$(MPY_CROSS) $(MPY_CROSS_FLAGS) -o $@ $<

$(BUILD)/$(MOD).native.mpy: $(standin.objs)
	$(MPY_LD) --arch $(ARCH) --qstrs $(CONFIG_H) $(MPY_LD_FLAGS) -o $@ $^

$(MOD).mpy: $(BUILD)/$(MOD).native.mpy $(standin.pys)
	$(MPY_TOOL) --merge -o $@ $^
