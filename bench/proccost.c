/* Per-process cost of a CGI program: runs it N times as a web server would (CGI environment, body on stdin) and
 * sums the children's user and system CPU time from wait4's rusage (microseconds, unlike time(1)'s 10 ms), and
 * keeps the largest peak RSS.  Usage: proccost RUNS PROGRAM BODY [NAME=VALUE ...]  Prints: user_us sys_us per run, max_rss_kb */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: proccost RUNS PROGRAM BODY [NAME=VALUE ...]\n"); return 2; }
    signal(SIGPIPE, SIG_IGN); /* a program may answer without reading its body */
    int runs = atoi(argv[1]);
    const char *program = argv[2], *body = argv[3];
    char length[48];
    snprintf(length, sizeof length, "CONTENT_LENGTH=%zu", strlen(body));
    char *env[argc + 8];
    int e = 0;
    env[e++] = "REQUEST_METHOD=POST";
    env[e++] = "CONTENT_TYPE=application/json";
    env[e++] = "GATEWAY_INTERFACE=CGI/1.1";
    env[e++] = length;
    for (int i = 4; i < argc; i++) env[e++] = argv[i];
    env[e] = NULL;
    long long user_us = 0, sys_us = 0;
    long max_rss = 0;
    for (int r = 0; r < runs; r++) {
        int in[2], out[2];
        if (pipe(in) || pipe(out)) { perror("pipe"); return 1; }
        pid_t pid = fork();
        if (pid == 0) {
            dup2(in[0], 0); dup2(out[1], 1);
            int null = open("/dev/null", 1); if (null >= 0) dup2(null, 2);
            close(in[0]); close(in[1]); close(out[0]); close(out[1]);
            execve(program, (char *[]){(char *)program, NULL}, env);
            _exit(127);
        }
        close(in[0]); close(out[1]);
        if (write(in[1], body, strlen(body)) < 0) perror("write");
        close(in[1]);
        char sink[4096];
        while (read(out[0], sink, sizeof sink) > 0) {}
        close(out[0]);
        int status;
        struct rusage usage;
        if (wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "proccost: %s failed\n", program); return 1;
        }
        user_us += usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec;
        sys_us += usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
        if (usage.ru_maxrss > max_rss) max_rss = usage.ru_maxrss;
    }
    printf("%.1f %.1f %ld\n", (double)user_us / runs, (double)sys_us / runs, max_rss);
    return 0;
}
