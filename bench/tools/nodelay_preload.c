/* An experiment, not part of the build: LD_PRELOAD this into the server to
 * see what TCP_NODELAY on every TCP socket changes (bench/RESULTS.md).
 *   gcc -O2 -shared -fPIC -o /tmp/nodelay.so nodelay_preload.c -ldl
 *   BENCH_SERVER_LD_PRELOAD=/tmp/nodelay.so switchboard-bench ...            */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

static void nodelay(int fd) {
  int type = 0, one = 1;
  socklen_t len = sizeof type;
  if (fd >= 0 && getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* fails harmlessly on AF_UNIX */
}

int accept(int s, struct sockaddr* a, socklen_t* l) {
  static int (*real)(int, struct sockaddr*, socklen_t*);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*))dlsym(RTLD_NEXT, "accept");
  int fd = real(s, a, l);
  nodelay(fd);
  return fd;
}

int accept4(int s, struct sockaddr* a, socklen_t* l, int flags) {
  static int (*real)(int, struct sockaddr*, socklen_t*, int);
  if (!real) real = (int (*)(int, struct sockaddr*, socklen_t*, int))dlsym(RTLD_NEXT, "accept4");
  int fd = real(s, a, l, flags);
  nodelay(fd);
  return fd;
}

int connect(int s, const struct sockaddr* a, socklen_t l) {
  static int (*real)(int, const struct sockaddr*, socklen_t);
  if (!real) real = (int (*)(int, const struct sockaddr*, socklen_t))dlsym(RTLD_NEXT, "connect");
  nodelay(s);
  return real(s, a, l);
}
