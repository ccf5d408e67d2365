package sqs

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
)

// A receipt handle names one receive of one message: the queue, the message's sequence number
// and the random token the store recorded at that receive. A later receive replaces the token,
// so an older handle no longer deletes; a handle cannot be forged without having received.
type receipt struct {
	queueID, seq int64
	token        string
}

const tokenBytes = 16

func newToken() string {
	var b [tokenBytes]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (r receipt) String() string {
	buf := make([]byte, 0, 2*binary.MaxVarintLen64+tokenBytes*2)
	buf = binary.AppendUvarint(buf, uint64(r.queueID))
	buf = binary.AppendUvarint(buf, uint64(r.seq))
	buf = append(buf, r.token...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// parseReceipt decodes a handle for queueID; ok is false for anything malformed or for another queue.
func parseReceipt(s string, queueID int64) (receipt, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return receipt{}, false
	}
	q, n := binary.Uvarint(b)
	if n <= 0 {
		return receipt{}, false
	}
	seq, m := binary.Uvarint(b[n:])
	if m <= 0 {
		return receipt{}, false
	}
	token := string(b[n+m:])
	if len(token) != tokenBytes*2 || int64(q) != queueID {
		return receipt{}, false
	}
	return receipt{queueID: int64(q), seq: int64(seq), token: token}, true
}
