// Package request carries what gureum knows about one request through its context: the request id,
// the service and operation it was routed to, and the principal that signed it.
package request

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"time"
)

// Principal is an authenticated caller.
type Principal struct {
	Account     string // 12-digit account id
	ARN         string // arn:aws:iam::123456789012:root, …:user/name, arn:aws:sts::…:assumed-role/role/session
	UserID      string // the account id for root, AIDA… for users, AROA…:session for role sessions
	AccessKeyID string // the key that signed the request
	Root        bool   // the account's root principal
}

// RootPrincipal returns the root principal of an account.
func RootPrincipal(account, accessKeyID string) *Principal {
	return &Principal{
		Account:     account,
		ARN:         "arn:aws:iam::" + account + ":root",
		UserID:      account,
		AccessKeyID: accessKeyID,
		Root:        true,
	}
}

// Info is the request-scoped record. The router fills it in as the request advances; handlers read it.
type Info struct {
	ID        string
	Start     time.Time
	Region    string
	Host      string // the Host the client addressed (queue URLs are built from it)
	Path      string // the request path as routed
	Service   string
	Operation string
	Principal *Principal // nil for an anonymous request
}

type infoKey struct{}

// With returns a context carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, infoKey{}, info)
}

// From returns the request's Info; a context without one yields an empty Info, never nil.
func From(ctx context.Context) *Info {
	if info, ok := ctx.Value(infoKey{}).(*Info); ok {
		return info
	}
	return &Info{}
}

// NewID returns a request id in the form AWS uses (a UUID v4). Ids must be unique, not secret:
// they come from the runtime's fast per-thread generator, not a system call per request.
func NewID() string {
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], rand.Uint64())
	binary.LittleEndian.PutUint64(b[8:], rand.Uint64())
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
