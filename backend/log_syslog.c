/* The syslog side of log.c, apart because <syslog.h> takes LOG_ERR & co. */
#include <syslog.h>

void log_syslog_open(const char *ident);
void log_syslog_write(int level, const char *line);

void log_syslog_open(const char *ident)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_syslog_write(int level, const char *line)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	syslog(prio[level & 3], "%s", line);
}
