/* One hex digit's value, for the parsers of other tools' hex output (the
 * adapters) and of the scorecard's hex contexts (the report). */
#ifndef TLSPROBE_HEX_H
#define TLSPROBE_HEX_H

/* 0..15, or -1 if c is no hex digit. */
static inline int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
#endif
