SRC_USERMOD_C += $(USERMOD_DIR)/twomods.c
