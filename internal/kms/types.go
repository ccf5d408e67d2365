package kms

import (
	"encoding/json"
	"math"
	"time"
)

// Time is a timestamp as AWS JSON 1.1 sends it: seconds since 1970, with a fraction.
type Time struct{ time.Time }

// MarshalJSON writes epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	return json.Marshal(float64(t.UnixNano()) / 1e9)
}

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

// Tag is a key's tag.
type Tag struct {
	TagKey   string
	TagValue string
}

// KeyMetadata describes a key, as DescribeKey and CreateKey answer.
type KeyMetadata struct {
	AWSAccountId                string
	KeyId                       string
	Arn                         string
	CreationDate                *Time
	Enabled                     bool
	Description                 string
	KeyUsage                    string
	KeyState                    string
	DeletionDate                *Time  `json:",omitempty"`
	PendingDeletionWindowInDays *int32 `json:",omitempty"`
	Origin                      string
	KeyManager                  string
	CustomerMasterKeySpec       string
	KeySpec                     string
	EncryptionAlgorithms        []string `json:",omitempty"`
	MacAlgorithms               []string `json:",omitempty"`
	SigningAlgorithms           []string `json:",omitempty"`
	KeyAgreementAlgorithms      []string `json:",omitempty"`
	MultiRegion                 bool
}

// Grant is a grant on a key.
type Grant struct {
	KeyId             string
	GrantId           string
	Name              string `json:",omitempty"`
	CreationDate      *Time
	GranteePrincipal  string
	RetiringPrincipal string `json:",omitempty"`
	IssuingAccount    string
	Operations        []string
	Constraints       *GrantConstraints `json:",omitempty"`
}

// GrantConstraints limits a grant to encryption contexts.
type GrantConstraints struct {
	EncryptionContextSubset map[string]string `json:",omitempty"`
	EncryptionContextEquals map[string]string `json:",omitempty"`
}

// keyDoc is a key as it is stored: its metadata, policy, tags, rotation, grants and every
// version of its material wrapped by the master key (version n at Versions[n-1]).
type keyDoc struct {
	Meta           KeyMetadata
	Policy         string
	Tags           []Tag
	Rotation       bool
	RotationPeriod int32
	NextRotation   time.Time
	Rotations      []Rotation
	Versions       [][]byte
	PublicKey      []byte `json:",omitempty"` // asymmetric keys: SubjectPublicKeyInfo DER
	Grants         []storedGrant
}

// Rotation is one rotation of a key's material.
type Rotation struct {
	KeyId        string
	RotationDate *Time
	RotationType string
}

// storedGrant is a grant with its token.
type storedGrant struct {
	Grant
	Token string
}

// aliasDoc is an alias as it is stored.
type aliasDoc struct {
	AliasName       string
	AliasArn        string
	TargetKeyId     string
	CreationDate    *Time
	LastUpdatedDate *Time
}
