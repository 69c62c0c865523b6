#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

void base64_encode(const uint8_t *src, size_t n, char *dst)
{
	size_t i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = src[i] << 16 | src[i + 1] << 8 | src[i + 2];
		*dst++ = alphabet[v >> 18];
		*dst++ = alphabet[v >> 12 & 63];
		*dst++ = alphabet[v >> 6 & 63];
		*dst++ = alphabet[v & 63];
	}
	if (i < n) {
		uint32_t v = src[i] << 16 | (i + 1 < n ? src[i + 1] << 8 : 0);
		*dst++ = alphabet[v >> 18];
		*dst++ = alphabet[v >> 12 & 63];
		*dst++ = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		*dst++ = '=';
	}
	*dst = '\0';
}

static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

long base64_decode(const char *src, size_t srclen, uint8_t *dst)
{
	long out = 0;

	if (srclen % 4)
		return -1;
	for (size_t i = 0; i < srclen; i += 4) {
		int pad = (src[i + 3] == '=') + (src[i + 2] == '=');
		int a = sextet(src[i]), b = sextet(src[i + 1]);
		int c = pad >= 2 ? 0 : sextet(src[i + 2]);
		int d = pad >= 1 ? 0 : sextet(src[i + 3]);

		if (a < 0 || b < 0 || c < 0 || d < 0 || (pad && i + 4 != srclen))
			return -1;
		uint32_t v = a << 18 | b << 12 | c << 6 | d;
		dst[out++] = v >> 16;
		if (pad < 2)
			dst[out++] = v >> 8 & 255;
		if (pad < 1)
			dst[out++] = v & 255;
	}
	return out;
}
