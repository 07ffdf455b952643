// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for ctl/pathwalk.c: where path_walk() says a path ends, on a
 * tree made under $TMPDIR: there, missing at the end or on the way,
 * through a file, through symlinks (dangling, relative with "..", in a
 * loop), "." and ".."; and path_beneath().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "ctl/lib/pathwalk.h"
#include "assert.h"

static char base[PATH_MAX / 4];	/* a real path: no symlinks in it */

/* base/rel into out */
static const char *at_base(char *out, const char *rel)
{
	snprintf(out, PATH_MAX, "%s/%s", base, rel);
	return out;
}

/* Expects path_walk(base/rel) to give ret, ending in base/in at last, for base/whole. */
#define EXPECT_END(rel, ret, in, last, whole) do { \
	char _p[PATH_MAX], _d[PATH_MAX], _w[PATH_MAX]; \
	struct path_end _at; \
	ASSERT_EQ(path_walk(at_base(_p, rel), &_at), ret); \
	ASSERT_STREQ(_at.dir, *(in) ? at_base(_d, in) : base); \
	ASSERT_STREQ(_at.name, last); \
	ASSERT_STREQ(_at.want, at_base(_w, whole)); \
} while (0)

static void there(void)
{
	char p[PATH_MAX];
	struct path_end at;
	struct stat st;

	EXPECT_END("real/db", 0, "real", "db", "real/db");
	ASSERT_EQ(stat(at_base(p, "real/db"), &st), 0);
	ASSERT_EQ(path_walk(p, &at), 0);
	ASSERT_EQ(at.st.st_ino, st.st_ino);
	ASSERT_TRUE(S_ISREG(at.st.st_mode));
	/* a directory, and extra slashes */
	EXPECT_END("real//", 0, "", "real", "real");
}

static void missing(void)
{
	EXPECT_END("real/nope", -ENOENT, "real", "nope", "real/nope");
	/* on the way: it stops at the first name missing */
	EXPECT_END("real/a/b/c", -ENOENT, "real", "a", "real/a/b/c");
	/* a file on the way */
	EXPECT_END("real/db/x", -ENOTDIR, "real", "db", "real/db/x");
}

static void symlinks(void)
{
	/* link -> real: the end is named where it really is */
	EXPECT_END("link/db", 0, "real", "db", "real/db");
	/* dangling -> later (not there): wait for "later" */
	EXPECT_END("dangling/db", -ENOENT, "", "later", "later/db");
	/* sub/up -> ../real, relative with ".." */
	EXPECT_END("sub/up/db", 0, "real", "db", "real/db");
	/* the last name a symlink: followed too */
	EXPECT_END("dblink", 0, "real", "db", "real/db");
	/* loop1 -> loop2 -> loop1 */
	EXPECT_END("loop1/db", -ELOOP, "", "loop1", "loop1/db");
}

static void dots(void)
{
	EXPECT_END("real/./db", 0, "real", "db", "real/db");
	EXPECT_END("sub/../real/db", 0, "real", "db", "real/db");
	/* ending on "." or "..": the directory reached, named in its parent */
	EXPECT_END("real/sub2/..", 0, "", "real", "real");
	EXPECT_END("real/.", 0, "", "real", "real");
}

static void root(void)
{
	struct path_end at;

	ASSERT_EQ(path_walk("/", &at), 0);
	ASSERT_STREQ(at.dir, "/");
	ASSERT_STREQ(at.name, "");
	ASSERT_STREQ(at.want, "/");
	ASSERT_EQ(path_walk("/etc", &at), 0);
	ASSERT_STREQ(at.dir, "/");
	ASSERT_STREQ(at.name, "etc");
}

static void beneath(void)
{
	ASSERT_TRUE(path_beneath("/a/b", "/a"));
	ASSERT_TRUE(path_beneath("/a", "/a"));
	ASSERT_TRUE(path_beneath("/x/y", "/"));
	ASSERT_TRUE(!path_beneath("/ab", "/a"));
	ASSERT_TRUE(!path_beneath("/a", "/a/b"));
}

/* The tree the tests walk: base/{real/{db,sub2/},link,dangling,sub/up,dblink,loop1,loop2} */
static int make_tree(void)
{
	char p[PATH_MAX];
	FILE *f;

	if (mkdir(at_base(p, "real"), 0755) || mkdir(at_base(p, "real/sub2"), 0755) ||
	    mkdir(at_base(p, "sub"), 0755))
		return -1;
	f = fopen(at_base(p, "real/db"), "w");
	if (!f)
		return -1;
	fclose(f);
	return symlink("real", at_base(p, "link")) ||
	       symlink("later", at_base(p, "dangling")) || symlink("../real", at_base(p, "sub/up")) ||
	       symlink("real/db", at_base(p, "dblink")) || symlink("loop2", at_base(p, "loop1")) ||
	       symlink("loop1", at_base(p, "loop2"));
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	char made[PATH_MAX / 4], cmd[PATH_MAX];

	snprintf(made, sizeof(made), "%.200s/crmguard-test_pathwalk.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(made) || !realpath(made, base) || make_tree()) {
		perror("test_pathwalk: setting up");
		return 1;
	}
	RUN(there);
	RUN(missing);
	RUN(symlinks);
	RUN(dots);
	RUN(root);
	RUN(beneath);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	if (system(cmd))
		return 1;
	return test_failed ? 1 : 0;
}
