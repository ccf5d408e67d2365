package ssm

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

// Tag is a resource tag.
type Tag struct{ Key, Value string }

// Parameter is a parameter's value as GetParameter(s) answer.
type Parameter struct {
	Name             string
	Type             string
	Value            string
	Version          int64
	Selector         string `json:",omitempty"`
	LastModifiedDate Time
	ARN              string
	DataType         string
}

// ParameterInlinePolicy is a parameter policy (stored and returned, not enforced).
type ParameterInlinePolicy struct {
	PolicyText   string
	PolicyType   string
	PolicyStatus string
}

// ParameterMetadata is a parameter as DescribeParameters lists it.
type ParameterMetadata struct {
	Name             string
	ARN              string
	Type             string
	KeyId            string `json:",omitempty"`
	LastModifiedDate Time
	LastModifiedUser string
	Description      string `json:",omitempty"`
	AllowedPattern   string `json:",omitempty"`
	Version          int64
	Tier             string
	Policies         []ParameterInlinePolicy
	DataType         string
}

// ParameterHistory is one version as GetParameterHistory lists it.
type ParameterHistory struct {
	Name             string
	Type             string
	KeyId            string `json:",omitempty"`
	LastModifiedDate Time
	LastModifiedUser string
	Description      string `json:",omitempty"`
	Value            string
	AllowedPattern   string `json:",omitempty"`
	Version          int64
	Labels           []string
	Tier             string
	Policies         []ParameterInlinePolicy
	DataType         string
}

// ParameterStringFilter filters DescribeParameters and GetParametersByPath.
type ParameterStringFilter struct {
	Key    string
	Option string
	Values []string
}

// version is one stored version of a parameter. A SecureString's value is only ever Cipher.
type version struct {
	Version        int64
	Type           string
	Value          string `json:",omitempty"`
	Cipher         []byte `json:",omitempty"`
	KeyId          string `json:",omitempty"`
	Description    string `json:",omitempty"`
	AllowedPattern string `json:",omitempty"`
	Tier           string
	DataType       string
	Policies       []ParameterInlinePolicy `json:",omitempty"`
	Labels         []string                `json:",omitempty"`
	Modified       time.Time
	ModifiedBy     string
}

// paramDoc is a parameter as stored: its versions (at most 100, oldest first) and tags.
type paramDoc struct {
	Name     string
	Versions []version
	Tags     []Tag
}

func (d *paramDoc) latest() *version { return &d.Versions[len(d.Versions)-1] }
