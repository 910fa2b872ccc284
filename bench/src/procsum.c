/*
 * procsum.c: find a supervisor's own processes and add up what they cost.
 *
 *   procsum [-x PIDFILE] [-e EXE] [-l] ROOT
 *
 * Walks ROOT and its descendants through /proc/PID/task/TID/children. A
 * process is a worker, and is neither counted nor walked into, when its
 * pid is listed in PIDFILE (one per line: supertree's status --json) or
 * its /proc/PID/exe is EXE (the benchmark's worker under the peers). The
 * rest are the supervision processes; for them it prints
 *
 *   procs N workers W pss_kb P vcsw V nvcsw NV cpu_ticks T
 *
 * (Pss from smaps_rollup; context switches and utime+stime summed over
 * every thread) and with -l then their pids, comma-separated, on a second
 * line (for perf -p).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	*excl;
static size_t	 nexcl, capexcl;
static const char *wexe;

static int
cmp_int(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x < y ? -1 : x > y);
}

static int
is_worker(int pid)
{
	char	path[64], buf[4096];
	ssize_t	n;

	if (nexcl > 0 && bsearch(&pid, excl, nexcl, sizeof *excl,
	    cmp_int) != NULL)
		return (1);
	if (wexe == NULL)
		return (0);
	snprintf(path, sizeof path, "/proc/%d/exe", pid);
	if ((n = readlink(path, buf, sizeof buf - 1)) <= 0)
		return (0);
	buf[n] = '\0';
	return (strcmp(buf, wexe) == 0);
}

static long long
field_kb(const char *path, const char *key)
{
	FILE		*f;
	char		 line[512];
	long long	 v = 0;
	size_t		 k = strlen(key);

	if ((f = fopen(path, "r")) == NULL)
		return (0);
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, key, k) == 0) {
			v = atoll(line + k);
			break;
		}
	}
	fclose(f);
	return (v);
}

/* utime + stime of one thread, in clock ticks. */
static long long
task_ticks(const char *path)
{
	FILE		*f;
	char		 buf[2048], *p;
	unsigned long	 ut = 0, st = 0;

	if ((f = fopen(path, "r")) == NULL)
		return (0);
	if (fgets(buf, sizeof buf, f) == NULL || (p = strrchr(buf, ')')) ==
	    NULL) {
		fclose(f);
		return (0);
	}
	fclose(f);
	/* After ") ": state is field 3; utime and stime are 14 and 15. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return (0);
	return ((long long)ut + st);
}

int
main(int argc, char **argv)
{
	long long	 pss = 0, vcsw = 0, nvcsw = 0, ticks = 0;
	int		*queue = NULL, *procs = NULL;
	size_t		 qn = 0, qcap = 0, nprocs = 0, nworkers = 0, qi;
	int		 ch, list = 0, pid, child;
	char		 path[128], tpath[512];
	const char	*xfile = NULL;
	DIR		*d;
	struct dirent	*de;
	FILE		*f;

	while ((ch = getopt(argc, argv, "e:lx:")) != -1) {
		switch (ch) {
		case 'e':
			wexe = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'x':
			xfile = optarg;
			break;
		default:
			return (2);
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: procsum [-x PIDFILE] [-e EXE] [-l] "
		    "ROOT\n");
		return (2);
	}
	if (xfile != NULL && (f = fopen(xfile, "r")) != NULL) {
		while (fscanf(f, "%d", &pid) == 1) {
			if (nexcl == capexcl) {
				capexcl = capexcl * 2 + 64;
				excl = realloc(excl, capexcl * sizeof *excl);
			}
			excl[nexcl++] = pid;
		}
		fclose(f);
		qsort(excl, nexcl, sizeof *excl, cmp_int);
	}
	qcap = 1024;
	queue = malloc(qcap * sizeof *queue);
	queue[qn++] = atoi(argv[optind]);
	for (qi = 0; qi < qn; qi++) {
		pid = queue[qi];
		if (qi > 0 && is_worker(pid)) {
			nworkers++;
			continue;
		}
		snprintf(path, sizeof path, "/proc/%d/task", pid);
		if ((d = opendir(path)) == NULL)
			continue;
		procs = realloc(procs, (nprocs + 1) * sizeof *procs);
		procs[nprocs++] = pid;
		snprintf(path, sizeof path, "/proc/%d/smaps_rollup", pid);
		pss += field_kb(path, "Pss:");
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(tpath, sizeof tpath, "/proc/%d/task/%s/status",
			    pid, de->d_name);
			vcsw += field_kb(tpath, "voluntary_ctxt_switches:");
			nvcsw += field_kb(tpath,
			    "nonvoluntary_ctxt_switches:");
			snprintf(tpath, sizeof tpath, "/proc/%d/task/%s/stat",
			    pid, de->d_name);
			ticks += task_ticks(tpath);
			snprintf(tpath, sizeof tpath,
			    "/proc/%d/task/%s/children", pid, de->d_name);
			if ((f = fopen(tpath, "r")) == NULL)
				continue;
			while (fscanf(f, "%d", &child) == 1) {
				if (qn == qcap) {
					qcap *= 2;
					queue = realloc(queue,
					    qcap * sizeof *queue);
				}
				queue[qn++] = child;
			}
			fclose(f);
		}
		closedir(d);
	}
	printf("procs %zu workers %zu pss_kb %lld vcsw %lld nvcsw %lld "
	    "cpu_ticks %lld\n", nprocs, nworkers, pss, vcsw, nvcsw, ticks);
	if (list) {
		for (qi = 0; qi < nprocs; qi++)
			printf("%s%d", qi > 0 ? "," : "", procs[qi]);
		printf("\n");
	}
	return (nprocs > 0 ? 0 : 1);
}
