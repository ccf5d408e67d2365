// Package schedule parses and evaluates AWS schedule expressions, as EventBridge scheduled rules
// and EventBridge Scheduler write them: rate(value unit), cron(min hour dom month dow year) in
// AWS's six-field dialect, and Scheduler's at(yyyy-mm-ddThh:mm:ss), with time zones.
//
// It is hand-written: the Go cron libraries (robfig/cron and its forks) speak the Unix dialect —
// five or six fields with seconds, Sunday = 0, no year field, no L, W or # — and AWS's dialect
// differs in every one of these (reference: /work/shared/reference/eventing.md §4).
//
// Time zones: a cron or at expression is read in its location (UTC for EventBridge rules). A wall
// time that does not exist (a spring-forward gap) is skipped; one that happens twice (fall-back)
// fires once, as Scheduler does.
package schedule

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Kind is the form of an expression.
type Kind uint8

const (
	Rate Kind = iota + 1
	Cron
	At
)

// ErrInvalid is the error of every expression that does not parse.
var ErrInvalid = errors.New("invalid schedule expression")

// Expr is a parsed schedule expression; immutable.
type Expr struct {
	kind Kind
	src  string
	rate time.Duration
	cron *cronSpec
	at   wall
}

// wall is a wall-clock time without a location (at's argument).
type wall struct{ y, mo, d, h, mi, s int }

// Kind is the expression's form.
func (e *Expr) Kind() Kind { return e.kind }

// String is the expression as written.
func (e *Expr) String() string { return e.src }

// Rate is a rate expression's interval (zero for the other forms).
func (e *Expr) Rate() time.Duration { return e.rate }

// Parse parses any of the three forms.
func Parse(s string) (*Expr, error) {
	switch {
	case strings.HasPrefix(s, "rate(") && strings.HasSuffix(s, ")"):
		return parseRate(s)
	case strings.HasPrefix(s, "cron(") && strings.HasSuffix(s, ")"):
		c, err := parseCron(s[len("cron(") : len(s)-1])
		if err != nil {
			return nil, err
		}
		return &Expr{kind: Cron, src: s, cron: c}, nil
	case strings.HasPrefix(s, "at(") && strings.HasSuffix(s, ")"):
		return parseAt(s)
	}
	return nil, ErrInvalid
}

// ParseRule parses an EventBridge rule's ScheduleExpression: rate or cron only.
func ParseRule(s string) (*Expr, error) {
	e, err := Parse(s)
	if err != nil || e.kind == At {
		return nil, ErrInvalid
	}
	return e, nil
}

func parseRate(s string) (*Expr, error) {
	body := s[len("rate(") : len(s)-1]
	num, unit, ok := strings.Cut(body, " ")
	if !ok || num == "" || num[0] == '0' || strings.ContainsAny(unit, " ") {
		return nil, ErrInvalid
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return nil, ErrInvalid
		}
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > 1<<20 {
		return nil, ErrInvalid
	}
	var per time.Duration
	switch unit {
	case "minute", "minutes":
		per = time.Minute
	case "hour", "hours":
		per = time.Hour
	case "day", "days":
		per = 24 * time.Hour
	default:
		return nil, ErrInvalid
	}
	if (n == 1) == strings.HasSuffix(unit, "s") {
		return nil, ErrInvalid // 1 takes the singular, more the plural
	}
	return &Expr{kind: Rate, src: s, rate: time.Duration(n) * per}, nil
}

func parseAt(s string) (*Expr, error) {
	t, err := time.Parse("2006-01-02T15:04:05", s[len("at("):len(s)-1])
	if err != nil {
		return nil, ErrInvalid
	}
	return &Expr{kind: At, src: s, at: wall{t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), t.Second()}}, nil
}

// Next is the first time the expression fires strictly after after. anchor is when a rate
// counts from (a rule's creation, a schedule's StartDate); loc is where cron and at read their
// wall times (nil: UTC). ok is false when it never fires again.
func (e *Expr) Next(after, anchor time.Time, loc *time.Location) (t time.Time, ok bool) {
	if loc == nil {
		loc = time.UTC
	}
	switch e.kind {
	case Rate:
		if after.Before(anchor) {
			return anchor, true
		}
		n := after.Sub(anchor)/e.rate + 1
		return anchor.Add(n * e.rate), true
	case At:
		w := e.at
		t := time.Date(w.y, time.Month(w.mo), w.d, w.h, w.mi, w.s, 0, loc)
		return t, t.After(after)
	case Cron:
		return e.cron.next(after, loc)
	}
	return time.Time{}, false
}

// Last is the latest time the expression fired in (after, upTo], for catching up after a
// pause: a scheduler that was down fires a missed slot once. ok is false when none did. A cron
// expression is searched in widening windows back from upTo, so a long gap costs little.
func (e *Expr) Last(after, upTo, anchor time.Time, loc *time.Location) (time.Time, bool) {
	if e.kind == Rate {
		t, ok := e.Next(after, anchor, loc)
		if !ok || t.After(upTo) {
			return time.Time{}, false
		}
		return t.Add(upTo.Sub(t) / e.rate * e.rate), true
	}
	for _, w := range []time.Duration{time.Hour, 24 * time.Hour, 32 * 24 * time.Hour, 367 * 24 * time.Hour, 0} {
		start := after
		if w > 0 && upTo.Add(-w).After(after) {
			start = upTo.Add(-w)
		}
		t, ok := e.Next(start, anchor, loc)
		if ok && !t.After(upTo) {
			for {
				n, ok := e.Next(t, anchor, loc)
				if !ok || n.After(upTo) {
					return t, true
				}
				t = n
			}
		}
		if start.Equal(after) {
			break
		}
	}
	return time.Time{}, false
}
