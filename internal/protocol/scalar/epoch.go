package scalar

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
)

// Epoch is a timestamp as the JSON protocols (AWS JSON 1.0 and 1.1, REST-JSON) write one by
// default: seconds since 1970, with a fraction to the millisecond. It reads such a number (to the
// millisecond), or an
// RFC 3339 string, which some clients send.
type Epoch time.Time

// EpochOf is t as an Epoch, nil for the zero time (a member left out).
func EpochOf(t time.Time) *Epoch {
	if t.IsZero() {
		return nil
	}
	e := Epoch(t)
	return &e
}

// MarshalJSON writes seconds since 1970.
func (t Epoch) MarshalJSON() ([]byte, error) {
	return []byte(strconv.FormatFloat(float64(time.Time(t).UnixMilli())/1000, 'f', -1, 64)), nil
}

// errEpochRange is a number of seconds no timestamp member holds (beyond ±1e12 s, NaN, ±Inf).
var errEpochRange = errors.New("timestamp out of range")

// UnmarshalJSON reads seconds since 1970, or an RFC 3339 string.
func (t *Epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err == nil {
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e12 {
			return errEpochRange
		}
		// To the millisecond, rounded: a float64 of 1.7e9 seconds cannot hold .123 exactly, and
		// truncating its nanoseconds read 122 ms (FuzzEpoch).
		*t = Epoch(time.UnixMilli(int64(math.Round(f * 1000))).UTC())
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	p, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return err
	}
	*t = Epoch(p)
	return nil
}
