package scheduler

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gureum/gureum/internal/store"
)

// FuzzScheduleInput decodes a CreateSchedule body as the codec would, validates it and, when it
// is accepted, works out when it fires: nothing panics.
func FuzzScheduleInput(f *testing.F) {
	f.Add([]byte(`{"ScheduleExpression":"cron(0 2 ? * MON#1 *)","ScheduleExpressionTimezone":"Asia/Seoul","FlexibleTimeWindow":{"Mode":"OFF"},"Target":{"Arn":"arn:aws:sqs:us-east-1:1:q","RoleArn":"r"},"StartDate":1700000000}`))
	f.Add([]byte(`{"ScheduleExpression":"at(2026-12-08T01:05:00)","FlexibleTimeWindow":{"Mode":"FLEXIBLE","MaximumWindowInMinutes":5},"Target":{"Arn":"arn:aws:lambda:x:1:function:f","RoleArn":"r","Input":"{}"},"ActionAfterCompletion":"DELETE"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var in ScheduleInput
		if json.Unmarshal(b, &in) != nil {
			return
		}
		in.Name = "n"
		now := time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC)
		d, err := validate(&in, now)
		if err != nil {
			return
		}
		x := store.Schedule{Created: now}
		if slot, _, ok := due(x, &d, now.Add(48*time.Hour)); ok {
			flexible("arn", slot, d.FlexibleTimeWindow)
		}
	})
}
