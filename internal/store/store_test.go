package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

func TestFault(t *testing.T) {
	unique, lost := errors.New("unique"), errors.New("serialization")
	d := Driver{
		Exists:   func(err error) bool { return errors.Is(err, unique) },
		Conflict: func(err error) bool { return errors.Is(err, lost) },
	}
	for _, c := range []struct {
		err  error
		want error
	}{
		{sql.ErrNoRows, ErrNotFound},
		{unique, ErrExists},
		{lost, ErrConflict},
		{errors.New("disk I/O error"), ErrUnavailable},
		{context.Canceled, context.Canceled},
		{&Error{Op: "x", Kind: ErrConditionFailed}, ErrConditionFailed},
	} {
		if got := Fault("op", c.err, d); !errors.Is(got, c.want) {
			t.Errorf("Fault(%v) = %v; want %v", c.err, got, c.want)
		}
	}
	if Fault("op", nil, d) != nil {
		t.Error("Fault(nil) != nil")
	}
	if got := Fault("op", unique, Driver{}); !errors.Is(got, ErrUnavailable) {
		t.Errorf("Fault with an empty Driver = %v; want ErrUnavailable", got)
	}
}
