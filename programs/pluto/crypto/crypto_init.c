/* NSS start-up and shutdown: a database directory (sql:) for the daemon
 * and the key tools, or no database for tests. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <nss.h>
#include <plstr.h>
#include "crypto_nss.h"

static struct {
	bool ready;
	char dir[PATH_MAX];          /* without "sql:"; "" without a database */
	PK11SlotInfo *slot;          /* session objects */
	PK11SlotInfo *key_slot;      /* the database's key token */
	char *password;              /* explicit password, or NULL */
	char *pwfile;                /* contents of DIR/nsspassword, or NULL */
} st;

err_t crypto_check_ready(void)
{
	return st.ready ? NULL : "NSS is not initialised (crypto_init_* was not called)";
}

PK11SlotInfo *crypto_slot(void)
{
	return st.slot;
}

PK11SlotInfo *crypto_key_slot(void)
{
	return st.key_slot;
}

bool crypto_initialized(void)
{
	return st.ready;
}

const char *crypto_nssdir(void)
{
	return st.dir;
}

static void wipe_free(char **s)
{
	if (*s != NULL) {
		volatile char *p = *s;
		while (*p != '\0')
			*p++ = '\0';
		free(*s);
		*s = NULL;
	}
}

/* "token:password" lines (libreswan's nsspassword) or one bare password. */
static char *password_for(const char *token)
{
	if (st.password != NULL)
		return PL_strdup(st.password);
	if (st.pwfile == NULL)
		return NULL;
	size_t tlen = strlen(token);
	const char *bare = NULL;
	size_t bare_len = 0;
	for (const char *line = st.pwfile; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		size_t end = len;
		if (end > 0 && line[end - 1] == '\r')
			end--;
		if (end > tlen && strncmp(line, token, tlen) == 0 && line[tlen] == ':')
			return PL_strndup(line + tlen + 1, (PRInt32)(end - tlen - 1));
		if (bare == NULL && end > 0 && line[0] != '#' &&
		    memchr(line, ':', end) == NULL) {
			bare = line;
			bare_len = end;
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	return bare != NULL ? PL_strndup(bare, (PRInt32)bare_len) : NULL;
}

static char *password_cb(PK11SlotInfo *slot, PRBool retry, void *arg)
{
	(void)arg;
	if (retry)
		return NULL;   /* a wrong password stays wrong: no loop */
	return password_for(PK11_GetTokenName(slot));
}

static err_t read_pwfile(const char *dir)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/nsspassword", dir);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? NULL : crypto_errorf("cannot read %s: %s", path, strerror(errno));
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	st.pwfile = strdup(buf);
	memset(buf, 0, sizeof(buf));
	return st.pwfile == NULL ? "out of memory" : NULL;
}

/* dir without its "sql:" prefix into st.dir; other prefixes are refused. */
static err_t set_dir(const char *dir)
{
	if (dir == NULL || *dir == '\0')
		return "no NSS database directory given";
	if (strncmp(dir, "sql:", 4) == 0)
		dir += 4;
	else if (strncmp(dir, "dbm:", 4) == 0 || strncmp(dir, "extern:", 7) == 0 ||
		 strncmp(dir, "rdb:", 4) == 0)
		return crypto_errorf("NSS database '%s': only sql: databases are supported", dir);
	if (strlen(dir) >= sizeof(st.dir))
		return "NSS database directory name too long";
	strcpy(st.dir, dir);
	/* "sql:/etc/ipsec.d/" and "/etc/ipsec.d" are the same */
	size_t len = strlen(st.dir);
	while (len > 1 && st.dir[len - 1] == '/')
		st.dir[--len] = '\0';
	struct stat sb;
	if (stat(st.dir, &sb) != 0)
		return crypto_errorf("NSS database directory %s: %s", st.dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return crypto_errorf("NSS database directory %s is not a directory", st.dir);
	return NULL;
}

static bool has_file(const char *dir, const char *name)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static bool has_db(const char *dir)
{
	return has_file(dir, "cert9.db") && has_file(dir, "key4.db");
}

static void reset(void)
{
	if (st.slot != NULL)
		PK11_FreeSlot(st.slot);
	if (st.key_slot != NULL)
		PK11_FreeSlot(st.key_slot);
	st.slot = st.key_slot = NULL;
	wipe_free(&st.password);
	wipe_free(&st.pwfile);
	st.dir[0] = '\0';
	st.ready = false;
}

static err_t take_slots(void)
{
	st.slot = PK11_GetInternalSlot();
	st.key_slot = PK11_GetInternalKeySlot();
	if (st.slot == NULL || st.key_slot == NULL)
		return crypto_nss_error("NSS has no internal slot");
	return NULL;
}

/* NSS_Initialize on st.dir (which must be set), then slots and login. */
static err_t open_db(bool readonly, bool create)
{
	char config[PATH_MAX + 8];
	snprintf(config, sizeof(config), "sql:%s", st.dir);
	PK11_SetPasswordFunc(password_cb);
	if (NSS_Initialize(config, "", "", SECMOD_DB,
			   readonly ? NSS_INIT_READONLY : 0) != SECSuccess)
		return crypto_nss_error(st.dir);
	err_t e = take_slots();
	if (e != NULL)
		return e;
	if (create && PK11_NeedUserInit(st.key_slot)) {
		/* a fresh database: set the empty password, as
		 * certutil -N --empty-password does */
		if (PK11_InitPin(st.key_slot, NULL, "") != SECSuccess)
			return crypto_nss_error("setting the NSS database's empty password");
	}
	if (PK11_NeedLogin(st.key_slot) && !PK11_IsLoggedIn(st.key_slot, NULL) &&
	    PK11_Authenticate(st.key_slot, PR_TRUE, NULL) != SECSuccess)
		return crypto_errorf("cannot log into the NSS database in %s (wrong or missing password; "
				     "put it in %s/nsspassword)", st.dir, st.dir);
	return NULL;
}

static err_t fail(err_t e)
{
	/* e may be in the per-thread buffer; nothing below writes to it */
	if (NSS_IsInitialized()) {
		if (st.slot != NULL)
			PK11_FreeSlot(st.slot);
		if (st.key_slot != NULL)
			PK11_FreeSlot(st.key_slot);
		st.slot = st.key_slot = NULL;
		NSS_Shutdown();
	}
	reset();
	return e;
}

err_t crypto_init_nssdb(const char *dir, bool readonly, const char *password)
{
	if (st.ready || NSS_IsInitialized())
		return "NSS is already initialised";
	err_t e = set_dir(dir);
	if (e != NULL)
		return fail(e);
	if (!has_db(st.dir)) {
		e = crypto_errorf("no NSS database in %s (cert9.db and key4.db); create one with "
				  "'ipsec newhostkey --nssdir %s' or "
				  "'certutil -N -d sql:%s --empty-password'", st.dir, st.dir, st.dir);
		return fail(e);
	}
	if (password != NULL) {
		st.password = strdup(password);
		if (st.password == NULL)
			return fail("out of memory");
	} else if ((e = read_pwfile(st.dir)) != NULL) {
		return fail(e);
	}
	e = open_db(readonly, false);
	if (e != NULL)
		return fail(e);
	st.ready = true;
	return NULL;
}

err_t crypto_init_nssdb_create(const char *dir, bool *created)
{
	if (created != NULL)
		*created = false;
	if (st.ready || NSS_IsInitialized())
		return "NSS is already initialised";
	err_t e = set_dir(dir);
	if (e != NULL)
		return fail(e);
	if (has_db(st.dir)) {
		char copy[PATH_MAX];
		strcpy(copy, st.dir);
		reset();
		return crypto_init_nssdb(copy, false, NULL);
	}
	if (has_file(st.dir, "cert9.db") || has_file(st.dir, "key4.db"))
		return fail(crypto_errorf("%s holds only half an NSS database (one of cert9.db, key4.db); "
					  "not touching it", st.dir));
	e = open_db(false, true);
	if (e != NULL)
		return fail(e);
	if (created != NULL)
		*created = true;
	st.ready = true;
	return NULL;
}

err_t crypto_init_nodb(void)
{
	if (st.ready || NSS_IsInitialized())
		return "NSS is already initialised";
	if (NSS_NoDB_Init(NULL) != SECSuccess)
		return fail(crypto_nss_error("NSS_NoDB_Init"));
	err_t e = take_slots();
	if (e != NULL)
		return fail(e);
	st.dir[0] = '\0';
	st.ready = true;
	return NULL;
}

err_t crypto_shutdown(void)
{
	if (!NSS_IsInitialized()) {
		reset();
		return NULL;
	}
	if (st.slot != NULL)
		PK11_FreeSlot(st.slot);
	if (st.key_slot != NULL)
		PK11_FreeSlot(st.key_slot);
	st.slot = st.key_slot = NULL;
	st.ready = false;
	if (NSS_Shutdown() != SECSuccess) {
		err_t e = crypto_nss_error("NSS_Shutdown (NSS objects still referenced)");
		/* NSS stays up; keep working with fresh slot references */
		if (take_slots() == NULL)
			st.ready = true;
		return e;
	}
	reset();
	return NULL;
}
