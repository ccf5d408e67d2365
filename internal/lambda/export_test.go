package lambda

import (
	"context"
	"time"
)

// ColdStart starts an environment for a function of runtime rt whose code is unpacked in code,
// runs one invoke in it and ends it, returning the time from start to the answer.
func ColdStart(s *Service, rt, handler, code string, payload []byte) (time.Duration, []byte, error) {
	c := &FunctionConfiguration{FunctionName: "bench", Runtime: rt, Handler: handler, MemorySize: 1769, Timeout: 10, Version: latest}
	s.runtimes.load()
	start := time.Now()
	e, err := s.launchCode(envKey{function: "bench"}, c, code, "")
	if err != nil {
		return 0, nil, err
	}
	defer e.kill()
	ctx := context.Background()
	if f := e.awaitInit(ctx, "cold", 10); f != nil {
		return 0, f.payload, nil
	}
	inv := &invocation{c: c, arn: "arn:aws:lambda:us-east-1:000000000000:function:bench"}
	res, f := s.exchange(ctx, e, inv, &InvokeInput{Payload: payload}, "cold", time.Now().Add(10*time.Second))
	d := time.Since(start)
	if f != nil {
		return d, f.payload, nil
	}
	return d, res.Payload, nil
}

// ParseRef exposes the function-reference parser to the fuzz target.
func ParseRef(fn, qualifier string) (string, string, string, error) {
	r, err := New(Config{}).parseRef(context.Background(), fn, qualifier)
	return r.account, r.name, r.qualifier, err
}
