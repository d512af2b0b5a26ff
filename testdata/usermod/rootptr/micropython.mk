SRC_USERMOD_C += $(USERMOD_DIR)/modrootptr.c
