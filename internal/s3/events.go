package s3

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/gureum/gureum/internal/awserr"
	"github.com/gureum/gureum/internal/background"
	"github.com/gureum/gureum/internal/request"
	"github.com/gureum/gureum/internal/sqs"
	"github.com/gureum/gureum/internal/store"
)

// events builds the deliveries a change to o causes under the bucket's notification
// configuration: one a matching queue configuration, each carrying AWS's event record. The
// store records them in the change's own transaction.
func (s *Service) events(ctx context.Context, b store.Bucket, name string, o store.Object) []store.Delivery {
	doc := b.Configs["notification"]
	if doc == "" {
		return nil
	}
	var n notificationConfiguration
	if xml.Unmarshal([]byte(doc), &n) != nil {
		return nil
	}
	var ds []store.Delivery
	add := func(c notificationCfg, target string) {
		if !c.matches(name, o.Key) {
			return
		}
		e := s.eventOf(ctx, b, name, o)
		e.ConfigID = c.ID
		payload, _ := json.Marshal(EventMessage{Records: []EventRecord{e.Record()}})
		ds = append(ds, store.Delivery{Kind: DeliveryKind, Target: target, Payload: payload})
	}
	for _, q := range n.Queues {
		add(q, q.Queue)
	}
	for _, f := range n.Lambdas {
		add(f, f.Function)
	}
	for _, t := range n.Topics {
		add(t, t.Topic)
	}
	return ds
}

func (s *Service) eventOf(ctx context.Context, b store.Bucket, name string, o store.Object) Event {
	info := request.From(ctx)
	principal := "anonymous"
	if info.Principal != nil {
		principal = info.Principal.UserID
	}
	e := Event{Name: name, Time: s.now(), Region: b.Region, Bucket: b.Name, Owner: b.Account, Principal: principal,
		RequestID: info.ID, Key: o.Key, Sequencer: fmt.Sprintf("%016X", o.Modified.UnixNano())}
	if b.Versioning != "" {
		e.VersionID = o.VersionID
	}
	if !o.DeleteMarker && !strings.HasPrefix(name, "ObjectRemoved") {
		e.Size, e.HasSize, e.ETag = o.Size, true, unquote(o.ETag)
	}
	return e
}

// deliver sends one event message to its queue through the queue service's in-process
// interface. A queue that no longer exists is a permanent failure (the delivery is dead-lettered).
func (s *Service) deliver(ctx context.Context, d store.Delivery) error {
	if strings.HasPrefix(d.Target, "arn:aws:lambda:") {
		// An asynchronous invocation: a run that fails is retried by the delivery.
		if s.deps.Functions == nil {
			return background.Permanent(errors.New("s3: no function service to deliver to"))
		}
		err := s.deps.Functions.InvokeAsync(ctx, d.Target, eventSource(d.Payload), d.Payload)
		if e := awserr.As(err); err != nil && (e.Kind == awserr.AccessDenied || e.Code != nil && e.Code.Status == 404) {
			return background.Permanent(err) // the function's policy no longer allows the bucket, or it is gone
		}
		return err
	}
	if strings.HasPrefix(d.Target, "arn:aws:sns:") {
		if s.deps.Topics == nil {
			return background.Permanent(errors.New("s3: no topic service to deliver to"))
		}
		err := s.deps.Topics.Publish(ctx, d.Target, string(d.Payload))
		if e := awserr.As(err); err != nil && e.Code != nil && e.Code.Status == 404 {
			return background.Permanent(err) // the topic is gone
		}
		return err
	}
	if s.deps.Queues == nil {
		return background.Permanent(errors.New("s3: no queue service to deliver to"))
	}
	_, err := s.deps.Queues.Enqueue(ctx, d.Target, string(d.Payload), nil, "", "")
	if err != nil && awserr.As(err).Code == sqs.ErrQueueDoesNotExist {
		return background.Permanent(err)
	}
	return err
}

// eventSource is the bucket an event message is for, as the function's policy sees it: its ARN
// (aws:SourceArn) and its owner (aws:SourceAccount).
func eventSource(payload []byte) request.Source {
	var m struct {
		Records []struct {
			S3 struct {
				Bucket struct {
					Name  string      `json:"name"`
					Owner principalID `json:"ownerIdentity"`
				} `json:"bucket"`
			} `json:"s3"`
		}
	}
	if json.Unmarshal(payload, &m) != nil || len(m.Records) == 0 {
		return request.Source{}
	}
	b := m.Records[0].S3.Bucket
	return request.Source{ARN: "arn:aws:s3:::" + b.Name, Account: b.Owner.PrincipalID}
}
