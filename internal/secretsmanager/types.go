package secretsmanager

import (
	"encoding/json"
	"math"
	"time"
)

// Time is a timestamp as AWS JSON 1.1 sends it: seconds since 1970, with a fraction.
type Time struct{ time.Time }

// MarshalJSON writes epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) { return json.Marshal(float64(t.UnixNano()) / 1e9) }

// UnmarshalJSON reads epoch seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	t.Time = time.Unix(int64(sec), int64(frac*1e9)).UTC()
	return nil
}

func at(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	return &Time{t}
}

// Tag is a secret's tag.
type Tag struct{ Key, Value string }

// RotationRules is when a secret rotates.
type RotationRules struct {
	AutomaticallyAfterDays *int64  `json:",omitempty"`
	Duration               *string `json:",omitempty"`
	ScheduleExpression     *string `json:",omitempty"`
}

// secretVersion is one stored version. Its value is only ever a KMS ciphertext.
type secretVersion struct {
	VersionId string
	Stages    []string
	Cipher    []byte
	Binary    bool // the value is SecretBinary
	KmsKeyId  string
	Created   time.Time
	Accessed  time.Time
}

// secretDoc is a secret as stored.
type secretDoc struct {
	Name        string
	ARN         string
	Description string
	KmsKeyId    string
	Created     time.Time
	Changed     time.Time
	Accessed    time.Time
	Deleted     time.Time // when deletion was asked for; zero when not pending
	DeleteAt    time.Time // when it goes
	Versions    []secretVersion
	Tags        []Tag
	Policy      string

	RotationEnabled bool
	RotationLambda  string
	Rules           *RotationRules
	LastRotated     time.Time
	NextRotation    time.Time
}
