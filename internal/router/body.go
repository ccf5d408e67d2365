package router

import (
	"io"
	"net/http"
	"time"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/service"
)

// firstRead is the most room a body's buffer starts with; it grows, doubling, as bytes arrive.
// A declared Content-Length never sizes it beyond this, so a client that declares 16 MiB and
// sends nothing holds this much, not 16 MiB.
const firstRead = 16 << 10

// readBody reads a non-streaming body of at most limit bytes (service.Streams: no read, the
// handler streams it) under the read deadline. Its buffer grows with what arrives, each growth
// taken from the in-flight budget first; a request that finds the budget spent is refused with
// the protocol's throttling error and holds nothing.
func (rt *Router) readBody(x *exchange, limit int64) error {
	if x.read {
		if limit != service.Streams && int64(len(x.body)) > limit {
			return tooLarge(x, limit)
		}
		return nil
	}
	if limit == service.Streams {
		return nil
	}
	x.read = true
	if x.r.Body == nil || x.r.Body == http.NoBody {
		return nil
	}
	if x.r.ContentLength > limit {
		return tooLarge(x, limit)
	}
	var rc *http.ResponseController
	if rt.cfg.BodyTimeout > 0 && x.w != nil {
		rc = http.NewResponseController(x.w)
		if rc.SetReadDeadline(time.Now().Add(rt.cfg.BodyTimeout)) != nil {
			rc = nil
		}
	}
	size := int64(firstRead)
	if x.r.ContentLength >= 0 && x.r.ContentLength < firstRead {
		size = x.r.ContentLength + 1 // the room in which the read that finds EOF finds it
	}
	buf, err := rt.grow(x, nil, min(size, limit+1))
	if err != nil {
		return err
	}
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				return tooLarge(x, limit)
			}
			if buf, err = rt.grow(x, buf, min(2*int64(cap(buf)), limit+1)); err != nil {
				return err
			}
		}
		n, err := x.r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			// The connection is in an unknown state: answer and close it. The read deadline stays,
			// so the server's own discard of the unread body cannot block.
			x.closeConn()
			return awserr.FromRead(err)
		}
	}
	if int64(len(buf)) > limit {
		return tooLarge(x, limit)
	}
	if rc != nil {
		rc.SetReadDeadline(time.Time{})
	}
	x.body = buf
	return nil
}

// grow returns a buffer of capacity size holding buf's bytes, the difference taken from the
// in-flight budget.
func (rt *Router) grow(x *exchange, buf []byte, size int64) ([]byte, error) {
	more := size - int64(cap(buf))
	if rt.inflight.Add(more) > rt.cfg.MaxBodyInflight {
		rt.inflight.Add(-more)
		x.closeConn()
		return nil, awserr.New(awserr.Throttled, "Too many request bodies are being received at once; reduce your request rate.")
	}
	x.reserved += more
	nb := make([]byte, len(buf), size)
	copy(nb, buf)
	return nb, nil
}

// release returns the request's share of the in-flight budget, once its body is no longer held.
func (rt *Router) release(x *exchange) {
	if x.reserved != 0 {
		rt.inflight.Add(-x.reserved)
		x.reserved = 0
	}
}

// BodyBytesInflight is how many bytes of the in-flight budget requests hold now.
func (rt *Router) BodyBytesInflight() int64 { return rt.inflight.Load() }

func tooLarge(x *exchange, limit int64) error {
	x.closeConn()
	return awserr.New(awserr.TooLarge, "The request body exceeds the maximum allowed size of %d bytes.", limit)
}

// closeConn asks the server to close the connection after the response: its unread body would
// otherwise have to be read through first.
func (x *exchange) closeConn() {
	if x.w != nil {
		x.w.Header().Set("Connection", "close")
	}
}
