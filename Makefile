# Cygnet: top-level build. One non-recursive Makefile; flags live in
# Makefile.inc. Every output goes below $(B) (default build/).
#
#   make            build libraries, programs and unit tests
#   make check      install what is missing, build, run every test
#   make demo       install what is missing, build, run the main job
#   make fuzz       build the libFuzzer targets (clang)
#   make install    install below $(DESTDIR)$(PREFIX)
#   make deb        the Debian package (packaging/debian) in $(B)/deb

include Makefile.inc

.DEFAULT_GOAL := all
SHELL := /bin/bash
# V=1 shows the full command lines.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2)
endif

# ---- libraries: lib/libNAME/*.c (+ .l/.y) -> $(B)/lib/libNAME.a ----------
LIBNAMES := swan ipsecconf whack netsh
lib_srcs  = $(wildcard lib/lib$(1)/*.c)
lib_objs  = $(patsubst %.c,$(B)/obj/%.o,$(call lib_srcs,$(1)))

GEN_C := $(B)/gen/conf_lexer.c $(B)/gen/conf_parser.c
GEN_H := $(B)/gen/conf_lexer.h $(B)/gen/conf_parser.h
GEN_O := $(B)/obj/gen/conf_lexer.o $(B)/obj/gen/conf_parser.o

# Grouped targets (&:): one bison (or flex) run makes both files, so a
# parallel build never runs two at once into the same files.
$(B)/gen/conf_parser.c $(B)/gen/conf_parser.h &: lib/libipsecconf/parser.y
	@mkdir -p $(dir $@)
	$(call say,BISON,$@)
	$(Q)$(YACC) -Wall -Werror --defines=$(B)/gen/conf_parser.h -o $(B)/gen/conf_parser.c $<

$(B)/gen/conf_lexer.c $(B)/gen/conf_lexer.h &: lib/libipsecconf/lexer.l $(B)/gen/conf_parser.h
	@mkdir -p $(dir $@)
	$(call say,FLEX,$@)
	$(Q)$(LEX) --header-file=$(B)/gen/conf_lexer.h -o $(B)/gen/conf_lexer.c $<

# The parser's generated code and the library share its private headers.
$(B)/obj/gen/%.o $(B)/obj/lib/libipsecconf/%.o: CPPFLAGS += -Ilib/libipsecconf

$(B)/obj/gen/%.o: $(B)/gen/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(GENWARN) -MMD -MP -c -o $@ $<

$(B)/obj/%.o: %.c | $(GEN_H) pkg-check
	@mkdir -p $(dir $@)
	$(call say,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

pkg-check:
	$(if $(PKG_MISSING),$(error pkg-config: $(PKG_MISSING) (make deps installs the packages the build needs)))

define LIB_RULE
$(B)/lib/lib$(1).a: $(call lib_objs,$(1)) $(if $(filter ipsecconf,$(1)),$(GEN_O))
	@mkdir -p $$(dir $$@)
	$$(call say,AR,$$@)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LIBNAMES),$(eval $(call LIB_RULE,$(l))))

# ---- pluto: programs/pluto/**/*.c except main.c -> $(B)/lib/libpluto.a ----
# The daemon's code is a library too, so unit tests and fuzz targets can
# link its codecs, crypto and state machine.
PLUTO_SRCS := $(filter-out programs/pluto/main.c,$(shell find programs/pluto -name '*.c' 2>/dev/null))
$(B)/lib/libpluto.a: $(patsubst %.c,$(B)/obj/%.o,$(PLUTO_SRCS))
	@mkdir -p $(dir $@)
	$(call say,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^
$(B)/obj/programs/pluto/%.o $(B)/obj/testing/%.o: CPPFLAGS += -Iprograms/pluto

LIBS_A := $(foreach l,$(LIBNAMES),$(B)/lib/lib$(l).a) $(B)/lib/libpluto.a
LINK_LIBS := -Wl,--start-group $(LIBS_A) -Wl,--end-group
# Each program links the libraries it uses: the core three, plus libnetsh
# for the translator and libpluto.a for the daemon and the host-key tools.
LIBS_CORE := $(B)/lib/libswan.a $(B)/lib/libipsecconf.a $(B)/lib/libwhack.a
PLUTO_USERS := pluto newhostkey showhostkey
prog_libs = $(LIBS_CORE) $(if $(filter netsh-import,$(1)),$(B)/lib/libnetsh.a) \
	    $(if $(filter $(PLUTO_USERS),$(1)),$(B)/lib/libpluto.a)

# ---- programs: programs/NAME/*.c -> $(B)/libexec/ipsec/NAME ---------------
PROG_DIRS := $(patsubst programs/%/,%,$(sort $(dir $(wildcard programs/*/*.c))))
PROGS := $(foreach p,$(PROG_DIRS),$(B)/libexec/ipsec/$(p))

prog_objs = $(patsubst %.c,$(B)/obj/%.o,$(if $(filter pluto,$(1)),programs/pluto/main.c,$(wildcard programs/$(1)/*.c)))
define PROG_RULE
$(B)/libexec/ipsec/$(1): $(call prog_objs,$(1)) $(call prog_libs,$(1))
	@mkdir -p $$(dir $$@)
	$$(call say,LINK,$$@)
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) -Wl,--start-group $$(call prog_libs,$(1)) -Wl,--end-group $$(LDLIBS)
endef
$(foreach p,$(PROG_DIRS),$(eval $(call PROG_RULE,$(p))))

# Scripts shipped as sub-commands (programs/NAME/NAME.sh -> libexec/ipsec/NAME).
SCRIPT_SRCS := $(wildcard programs/*/*.sh)
SCRIPTS := $(foreach s,$(SCRIPT_SRCS),$(B)/libexec/ipsec/$(notdir $(basename $(s))))
define SCRIPT_RULE
$(B)/libexec/ipsec/$(notdir $(basename $(1))): $(1)
	@mkdir -p $$(dir $$@)
	install -m 0755 $$< $$@
endef
$(foreach s,$(SCRIPT_SRCS),$(eval $(call SCRIPT_RULE,$(s))))

# The front command: build/ipsec runs sub-commands from the build tree.
$(B)/ipsec: programs/ipsec/ipsec.in
	@mkdir -p $(dir $@)
	sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' $< > $@ && chmod 0755 $@

# ---- man pages: from each program's --help (packaging/man/help2man) ------
# The programs whose --help starts with "usage:" get their NAME line here.
MAN_SUMMARY_pluto := the IKE keying daemon
MAN_SUMMARY_addconn := load conns from ipsec.conf into pluto, or check the configuration
MAN_SUMMARY_netsh-import := translate Windows netsh ipsec and portproxy scripts to ipsec.conf
MAN_SUMMARY_newhostkey := make an RSA host key in the NSS database
MAN_SUMMARY_readwriteconf := read ipsec.conf and write it resolved, as text or JSON
MAN_SUMMARY_showhostkey := print a host key as ipsec.conf wants it
MAN_SUMMARY_initnss := create the NSS database pluto keeps its keys in
MAN_SUMMARY_checknss := check (or create) the NSS database
MAN_SUMMARY_import := import a PKCS 12 file (certificate and key) into the NSS database
MAN_SUMMARY_listcerts := list the certificates of the NSS database
MAN_SUMMARY_verify := check the configuration, secrets, NSS database, pluto and the kernel
MAN_SUMMARY__updown := the default updown script (routes and firewall rules for pluto)
MAN_SUMMARY_ipsec := run an IPsec sub-command (pluto, auto, whack, setup, ...)
MANS := $(patsubst $(B)/libexec/ipsec/%,$(B)/man/ipsec_%.8,$(PROGS) $(SCRIPTS)) $(B)/man/ipsec.8
# ipsec.conf(5) from the keyword table, by a build tool (not installed)
MANS5 := $(B)/man/ipsec.conf.5 $(B)/man/ipsec.secrets.5
$(B)/man/ipsec.secrets.5: packaging/man/ipsec.secrets.5
	@mkdir -p $(dir $@)
	cp $< $@
$(B)/tools/confman: $(B)/obj/packaging/man/confman.o $(B)/lib/libipsecconf.a $(B)/lib/libswan.a
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(B)/lib/libipsecconf.a $(B)/lib/libswan.a $(LDLIBS)
$(B)/man/ipsec.conf.5: $(B)/tools/confman
	@mkdir -p $(dir $@)
	$(call say,MAN,$@)
	$(Q)$< "$$(date -u +%Y-%m-%d)" > $@.tmp && mv $@.tmp $@
$(B)/man/ipsec.8: $(B)/ipsec $(PROGS) packaging/man/help2man
	@mkdir -p $(dir $@)
	$(call say,MAN,$@)
	$(Q)python3 packaging/man/help2man $< 8 "$(MAN_SUMMARY_ipsec)" > $@.tmp && mv $@.tmp $@
$(B)/man/ipsec_%.8: $(B)/libexec/ipsec/% packaging/man/help2man Makefile
	@mkdir -p $(dir $@)
	$(call say,MAN,$@)
	$(Q)python3 packaging/man/help2man $< 8 "$(MAN_SUMMARY_$*)" > $@.tmp && mv $@.tmp $@

# ---- unit tests: testing/unit/test_NAME.c -> $(B)/testing/unit/test_NAME --
UNIT_SRCS := $(wildcard testing/unit/test_*.c)
UNITS := $(patsubst testing/unit/%.c,$(B)/testing/unit/%,$(UNIT_SRCS))
$(B)/testing/unit/%: $(B)/obj/testing/unit/%.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS) $(CMOCKA_LIBS)

# ---- fuzz targets: testing/fuzz/fuzz_NAME.c (clang, libFuzzer) -----------
FUZZ_SRCS := $(wildcard testing/fuzz/fuzz_*.c)

# what is installed: programs, scripts, man pages (no unit tests)
programs: $(B)/ipsec $(PROGS) $(SCRIPTS) $(MANS) $(MANS5)
all: programs $(UNITS)
units: $(UNITS)

fuzz:
	$(MAKE) B=build/fuzz CC=clang SAN=1 WERROR=$(WERROR) \
	  SANFLAGS='-fsanitize=fuzzer-no-link,address,undefined' fuzz-targets

fuzz-targets: $(patsubst testing/fuzz/%.c,$(B)/fuzz/%,$(FUZZ_SRCS))
$(B)/fuzz/%: $(B)/obj/testing/fuzz/%.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(LINK_LIBS) $(LDLIBS)

# ---- benchmark tools: testing/bench/NAME.c -> $(B)/bench/NAME ------------
BENCH_SRCS := $(wildcard testing/bench/*.c)
BENCHES := $(patsubst testing/bench/%.c,$(B)/bench/%,$(BENCH_SRCS))
$(B)/bench/%: $(B)/obj/testing/bench/%.o $(LIBS_A)
	@mkdir -p $(dir $@)
	$(call say,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $< $(LINK_LIBS) $(LDLIBS)
bench: $(BENCHES) all

# ---- the two README commands ----------------------------------------------
deps:
	@bash packaging/install-deps

# the builds of check use every CPU (make check has a 20-minute budget)
NPROC := $(shell nproc 2>/dev/null || echo 1)
check: deps
	$(MAKE) -j$(NPROC) WERROR=-Werror all bench
	$(MAKE) -j$(NPROC) WERROR=-Werror B=build/asan CC=clang SAN=1 units all
	$(MAKE) -j$(NPROC) WERROR=-Werror fuzz
	bash testing/run

demo: deps
	$(MAKE) all
	bash testing/demo

# ---- install ---------------------------------------------------------------
# Without DESTDIR, an ipsec in SBINDIR would come before a system
# libreswan's /usr/sbin/ipsec in root's PATH: refused unless FORCE=1.
install: install-check programs
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR)
	sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' programs/ipsec/ipsec.in > $(DESTDIR)$(SBINDIR)/ipsec
	chmod 0755 $(DESTDIR)$(SBINDIR)/ipsec
	for f in $(PROGS) $(SCRIPTS); do install -m 0755 $$f $(DESTDIR)$(LIBEXECDIR)/; done
	install -d $(DESTDIR)$(SYSCONFDIR)/ipsec.d/policy
	[ -e $(DESTDIR)$(SYSCONFDIR)/ipsec.conf ] || install -m 0644 configs/ipsec.conf $(DESTDIR)$(SYSCONFDIR)/ipsec.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/ipsec.secrets ] || install -m 0600 configs/ipsec.secrets $(DESTDIR)$(SYSCONFDIR)/ipsec.secrets
	install -d $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 $(MANS5) $(DESTDIR)$(MANDIR)/man5/
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(TMPFILESDIR)
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	    packaging/systemd/ipsec.service.in > $(DESTDIR)$(SYSTEMDUNITDIR)/ipsec.service
	sed -e 's|@RUNDIR@|$(RUNDIR)|g' -e 's|@NSSDIR@|$(NSSDIR)|g' \
	    packaging/systemd/cygnet.tmpfiles.in > $(DESTDIR)$(TMPFILESDIR)/cygnet.conf
	install -d -m 0700 $(DESTDIR)$(NSSDIR)
	install -d $(DESTDIR)$(DOCDIR)
	install -m 0644 packaging/docs/*.md $(DESTDIR)$(DOCDIR)/

install-check:
	@if [ -z "$(DESTDIR)" ] && [ "$(SBINDIR)" != /usr/sbin ] && [ -z "$(FORCE)" ] && \
	    [ -e /usr/sbin/ipsec ] && ! grep -q 'Cygnet' /usr/sbin/ipsec 2>/dev/null; then \
		echo "make install: /usr/sbin/ipsec is another IPsec suite's (libreswan?);" \
		     "$(SBINDIR)/ipsec would shadow it in root's PATH. Remove it and install with" \
		     "PREFIX=/usr (or make deb), or say FORCE=1" >&2; exit 1; fi

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# with packaging/debian as its debian/ (the tree's top level stays as it is).
deb:
	bash packaging/make-deb $(B)/deb

clean:
	rm -rf build

.PHONY: pkg-check all programs units fuzz fuzz-targets deps check demo install install-check deb clean bench
.SECONDARY:

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
