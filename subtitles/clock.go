package subtitles

import (
	"strings"
	"time"
)

// parseClock parses a caption clock time: "hh:mm:ss.ttt" or "mm:ss.ttt",
// with "." (WebVTT, TTML) or "," (SRT) before the fraction. It is lenient
// about digit counts (SRT writers disagree) but not about shape: minutes
// and seconds are one or two digits below 60.
func parseClock(s string) (time.Duration, bool) {
	parts := strings.Split(s, ":")
	if len(parts) != 2 && len(parts) != 3 {
		return 0, false
	}
	var h int64
	if len(parts) == 3 {
		var ok bool
		if h, ok = digits(parts[0], 1, 6); !ok {
			return 0, false
		}
		parts = parts[1:]
	}
	m, ok := digits(parts[0], 1, 2)
	if !ok || m > 59 {
		return 0, false
	}
	sec, frac := parts[1], ""
	if i := strings.IndexAny(sec, ".,"); i >= 0 {
		sec, frac = sec[:i], sec[i+1:]
		if frac == "" {
			return 0, false
		}
	}
	sv, ok := digits(sec, 1, 2)
	if !ok || sv > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(sv)*time.Second
	if frac != "" {
		f, ok := fraction(frac)
		if !ok {
			return 0, false
		}
		d += f
	}
	return d, true
}

// digits parses s as a decimal number of between lo and hi digits.
func digits(s string, lo, hi int) (int64, bool) {
	if len(s) < lo || len(s) > hi {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// fraction parses the digits after a decimal point as a fraction of a
// second: "5" is 500 ms, "500" too, "123456789" 123456789 ns.
func fraction(s string) (time.Duration, bool) {
	n, ok := digits(s, 1, 9)
	if !ok {
		return 0, false
	}
	for range 9 - len(s) {
		n *= 10
	}
	return time.Duration(n), true
}
