package schedule

import (
	"strconv"
	"strings"
	"time"
)

const (
	minYear = 1970
	maxYear = 2199
)

// cronSpec is a parsed cron(min hour dom month dow year).
type cronSpec struct {
	min, hour, dom, month, dow uint64 // bit n set: value n allowed
	years                      [maxYear - minYear + 1]bool
	anyDom, anyDow             bool // the field is ?

	lastDom     bool  // L in day-of-month
	lastWeekday bool  // LW
	nearWeekday []int // nW
	lastDowOf   []int // nL in day-of-week: the last n-day of the month (1 = Sunday)
	nthDow      [][2]int
}

var monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
var dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}

func parseCron(body string) (*cronSpec, error) {
	f := strings.Split(body, " ")
	if len(f) != 6 {
		return nil, ErrInvalid
	}
	c := &cronSpec{}
	var err error
	if c.min, err = parseField(f[0], 0, 59, nil, false); err != nil {
		return nil, err
	}
	if c.hour, err = parseField(f[1], 0, 23, nil, true); err != nil {
		return nil, err
	}
	if c.month, err = parseField(f[3], 1, 12, monthNames, false); err != nil {
		return nil, err
	}
	c.anyDom, c.anyDow = f[2] == "?", f[4] == "?"
	if c.anyDom == c.anyDow {
		return nil, ErrInvalid // exactly one of day-of-month and day-of-week is ?
	}
	if !c.anyDom {
		if err := c.parseDom(f[2]); err != nil {
			return nil, err
		}
	}
	if !c.anyDow {
		if err := c.parseDow(f[4]); err != nil {
			return nil, err
		}
	}
	years, err := parseYears(f[5])
	if err != nil {
		return nil, err
	}
	c.years = years
	return c, nil
}

func (c *cronSpec) parseDom(s string) error {
	var plain []string
	for _, part := range strings.Split(s, ",") {
		switch {
		case part == "L":
			c.lastDom = true
		case part == "LW":
			c.lastWeekday = true
		case strings.HasSuffix(part, "W"):
			n, err := number(part[:len(part)-1], 1, 31, nil)
			if err != nil {
				return err
			}
			c.nearWeekday = append(c.nearWeekday, n)
		default:
			plain = append(plain, part)
		}
	}
	if len(plain) > 0 {
		bits, err := parseField(strings.Join(plain, ","), 1, 31, nil, false)
		if err != nil {
			return err
		}
		c.dom = bits
	}
	return nil
}

func (c *cronSpec) parseDow(s string) error {
	var plain []string
	hashes := 0
	for _, part := range strings.Split(s, ",") {
		switch {
		case part == "L":
			c.dow |= 1 << 7 // L alone: the last day of the week, Saturday
		case strings.HasSuffix(part, "L"):
			n, err := number(part[:len(part)-1], 1, 7, dayNames)
			if err != nil {
				return err
			}
			c.lastDowOf = append(c.lastDowOf, n)
		case strings.Contains(part, "#"):
			hashes++
			d, k, _ := strings.Cut(part, "#")
			n, err := number(d, 1, 7, dayNames)
			if err != nil {
				return err
			}
			nth, err := number(k, 1, 5, nil)
			if err != nil || hashes > 1 {
				return ErrInvalid
			}
			c.nthDow = append(c.nthDow, [2]int{n, nth})
		default:
			plain = append(plain, part)
		}
	}
	if len(plain) > 0 {
		bits, err := parseField(strings.Join(plain, ","), 1, 7, dayNames, true)
		if err != nil {
			return err
		}
		c.dow |= bits
	}
	return nil
}

func parseYears(s string) (y [maxYear - minYear + 1]bool, err error) {
	for _, part := range strings.Split(s, ",") {
		lo, hi, step, err := parseRange(part, minYear, maxYear, nil, false)
		if err != nil {
			return y, err
		}
		for v := lo; v <= hi; v += step {
			y[v-minYear] = true
		}
	}
	return y, nil
}

// parseField parses a comma list of *, n, a-b and x/step into a bit set. wrap lets a range run
// past the top back to the bottom (hours 20-2, days FRI-MON).
func parseField(s string, lo, hi int, names map[string]int, wrap bool) (uint64, error) {
	var bits uint64
	for _, part := range strings.Split(s, ",") {
		a, b, step, err := parseRange(part, lo, hi, names, wrap)
		if err != nil {
			return 0, err
		}
		span := hi - lo + 1
		for i := 0; ; i += step {
			v := a + i
			if b >= a && v > b || b < a && v > b+span {
				break
			}
			if v > hi {
				v -= span
			}
			bits |= 1 << uint(v)
		}
	}
	return bits, nil
}

// parseRange parses one element: *, n, a-b, */s, n/s, a-b/s. b < a only when wrap.
func parseRange(part string, lo, hi int, names map[string]int, wrap bool) (a, b, step int, err error) {
	step = 1
	if r, s, ok := strings.Cut(part, "/"); ok {
		if step, err = number(s, 1, hi-lo+1, nil); err != nil {
			return 0, 0, 0, err
		}
		part = r
		if !strings.Contains(part, "-") && part != "*" {
			if a, err = number(part, lo, hi, names); err != nil {
				return 0, 0, 0, err
			}
			return a, hi, step, nil
		}
	}
	if part == "*" {
		return lo, hi, step, nil
	}
	if x, y, ok := strings.Cut(part, "-"); ok {
		if a, err = number(x, lo, hi, names); err != nil {
			return 0, 0, 0, err
		}
		if b, err = number(y, lo, hi, names); err != nil {
			return 0, 0, 0, err
		}
		if b < a && !wrap {
			return 0, 0, 0, ErrInvalid
		}
		return a, b, step, nil
	}
	if a, err = number(part, lo, hi, names); err != nil {
		return 0, 0, 0, err
	}
	return a, a, step, nil
}

func number(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[s]; ok {
		return v, nil
	}
	if s == "" || len(s) > 4 {
		return 0, ErrInvalid
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, ErrInvalid
		}
	}
	n, _ := strconv.Atoi(s)
	if n < lo || n > hi {
		return 0, ErrInvalid
	}
	return n, nil
}

// next finds the first matching minute after after, in loc.
func (c *cronSpec) next(after time.Time, loc *time.Location) (time.Time, bool) {
	start := after.In(loc).Truncate(time.Minute).Add(time.Minute)
	y, mo, d := start.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC) // calendar arithmetic in UTC, free of DST
	first := true
	for day.Year() <= maxYear {
		if !c.years[day.Year()-minYear] {
			day = time.Date(day.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC)
			first = false
			continue
		}
		if c.month&(1<<uint(day.Month())) == 0 {
			day = time.Date(day.Year(), day.Month()+1, 1, 0, 0, 0, 0, time.UTC)
			first = false
			continue
		}
		if c.dayMatches(day) {
			h0, m0 := 0, 0
			if first {
				h0, m0 = start.Hour(), start.Minute()
			}
			if t, ok := c.inDay(day, h0, m0, after, loc); ok {
				return t, true
			}
		}
		day = day.AddDate(0, 0, 1)
		first = false
	}
	return time.Time{}, false
}

// inDay finds the first matching hour and minute of day at or after h0:m0 that exists in loc.
func (c *cronSpec) inDay(day time.Time, h0, m0 int, after time.Time, loc *time.Location) (time.Time, bool) {
	for h := h0; h < 24; h++ {
		if c.hour&(1<<uint(h)) == 0 {
			continue
		}
		mStart := 0
		if h == h0 {
			mStart = m0
		}
		for m := mStart; m < 60; m++ {
			if c.min&(1<<uint(m)) == 0 {
				continue
			}
			t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
			if t.Hour() != h || t.Minute() != m || !t.After(after) {
				continue // a wall time skipped by a DST change, or the repeat of one already past
			}
			return t, true
		}
	}
	return time.Time{}, false
}

func (c *cronSpec) dayMatches(day time.Time) bool {
	if c.anyDow {
		return c.domMatches(day)
	}
	return c.dowMatches(day)
}

func daysIn(day time.Time) int {
	return time.Date(day.Year(), day.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func (c *cronSpec) domMatches(day time.Time) bool {
	d, last := day.Day(), daysIn(day)
	if c.dom&(1<<uint(d)) != 0 || c.lastDom && d == last {
		return true
	}
	if c.lastWeekday && d == nearestWeekday(day, last) {
		return true
	}
	for _, n := range c.nearWeekday {
		if n <= last && d == nearestWeekday(day, n) {
			return true
		}
	}
	return false
}

// nearestWeekday is the weekday nearest day n of day's month, not leaving the month.
func nearestWeekday(day time.Time, n int) int {
	t := time.Date(day.Year(), day.Month(), n, 0, 0, 0, 0, time.UTC)
	last := daysIn(day)
	switch t.Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == last {
			return n - 2
		}
		return n + 1
	}
	return n
}

func (c *cronSpec) dowMatches(day time.Time) bool {
	wd := int(day.Weekday()) + 1 // 1 = Sunday
	if c.dow&(1<<uint(wd)) != 0 {
		return true
	}
	for _, n := range c.lastDowOf {
		if n == wd && day.Day()+7 > daysIn(day) {
			return true
		}
	}
	for _, x := range c.nthDow {
		if x[0] == wd && (day.Day()-1)/7+1 == x[1] {
			return true
		}
	}
	return false
}
