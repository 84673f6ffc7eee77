/* The values a price table holds: currency codes, plain decimals, calendar dates and the family
 * of an instance name (see prices.h). */
#include "prices.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int tb_currency_valid(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

int tb_decimal_valid(const char *s)
{
    const char *p = s;
    int digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int tb_date_parse(const char *s, int *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    int y = (int)strtol(s, NULL, 10), m = (int)strtol(s + 5, NULL, 10), d = (int)strtol(s + 8, NULL, 10);
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

int tb_today_days(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void tb_date_format(int days, char *buf, size_t cap)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void tb_price_family(const char *inst, char *buf, size_t cap)
{
    size_t n = strlen(inst);
    const char *dot = strchr(inst, '.');
    const char *dash = strrchr(inst, '-');
    if (cap == 0)
        return;
    if (dot) { /* AWS: family.size */
        n = (size_t)(dot - inst);
    } else if (strncmp(inst, "Standard_", 9) == 0 || strncmp(inst, "Basic_", 6) == 0) {
        /* Azure: Standard_<letters><vCPUs><features>_<version>: drop the vCPU count. */
        const char *p = strchr(inst, '_') + 1;
        while (*p && !isdigit((unsigned char)*p))
            p++;
        const char *q = p;
        while (isdigit((unsigned char)*q))
            q++;
        snprintf(buf, cap, "%.*s%s", (int)(p - inst), inst, q);
        return;
    } else if (dash && isdigit((unsigned char)dash[1])) { /* GCP: family-size */
        n = (size_t)(dash - inst);
    }
    snprintf(buf, cap, "%.*s", (int)n, inst);
}
