package cloudformation

import (
	"context"
	"strings"
)

// Queues, topics and subscriptions (SQS and SNS).

func init() {
	providers["AWS::SQS::Queue"] = &provider{
		props: []string{"QueueName", "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
			"VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
			"FifoThroughputLimit", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "Tags"},
		replace: []string{"QueueName", "FifoQueue"},
		name:    "QueueName",
		create:  createQueue,
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			attrs := queueAttributes(props)
			for k := range queueAttributes(old) {
				if _, still := attrs[k]; !still {
					attrs[k] = queueDefaults[k]
				}
			}
			_, err := x.call(ctx, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": r.PhysicalID, "Attributes": attrs})
			return err
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "sqs", "DeleteQueue", map[string]any{"QueueUrl": r.PhysicalID})
			return err
		},
	}
	providers["AWS::SQS::QueuePolicy"] = &provider{
		props:  []string{"Queues", "PolicyDocument"},
		create: setQueuePolicy,
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			return setQueuePolicy(ctx, x, r, props)
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			for _, q := range stringsOf(r.Props["Queues"]) {
				if _, err := x.call(ctx, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": q, "Attributes": map[string]string{"Policy": ""}}); err != nil && !notFound(err) {
					return err
				}
			}
			return nil
		},
	}
	providers["AWS::SNS::Topic"] = &provider{
		props: []string{"TopicName", "DisplayName", "FifoTopic", "ContentBasedDeduplication", "KmsMasterKeyId", "Tags", "Subscription",
			"SignatureVersion", "TracingConfig", "DataProtectionPolicy", "ArchivePolicy", "DeliveryStatusLogging", "FifoThroughputScope"},
		replace: []string{"TopicName", "FifoTopic", "Subscription"},
		name:    "TopicName",
		create:  createTopic,
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			for k, v := range topicAttributes(props) {
				if str(old, k) == v {
					continue
				}
				if _, err := x.call(ctx, "sns", "SetTopicAttributes", map[string]any{"TopicArn": r.PhysicalID, "AttributeName": k, "AttributeValue": v}); err != nil {
					return err
				}
			}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "sns", "DeleteTopic", map[string]any{"TopicArn": r.PhysicalID})
			return err
		},
	}
	providers["AWS::SNS::Subscription"] = &provider{
		props: []string{"TopicArn", "Protocol", "Endpoint", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
			"DeliveryPolicy", "Region", "SubscriptionRoleArn", "ReplayPolicy"},
		replace: []string{"TopicArn", "Protocol", "Endpoint", "Region"},
		create: func(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
			out, err := x.call(ctx, "sns", "Subscribe", map[string]any{"TopicArn": str(props, "TopicArn"), "Protocol": str(props, "Protocol"),
				"Endpoint": str(props, "Endpoint"), "Attributes": subscriptionAttributes(props), "ReturnSubscriptionArn": true})
			if err != nil {
				return err
			}
			r.PhysicalID, _ = out["SubscriptionArn"].(string)
			r.Attrs = map[string]any{"Arn": r.PhysicalID}
			return nil
		},
		update: func(ctx context.Context, x *exec, r *resourceState, old, props map[string]any) error {
			now, before := subscriptionAttributes(props), subscriptionAttributes(old)
			for k := range before {
				if _, ok := now[k]; !ok {
					now[k] = ""
				}
			}
			for k, v := range now {
				if before[k] == v {
					continue
				}
				if _, err := x.call(ctx, "sns", "SetSubscriptionAttributes", map[string]any{"SubscriptionArn": r.PhysicalID, "AttributeName": k, "AttributeValue": v}); err != nil {
					return err
				}
			}
			return nil
		},
		delete: func(ctx context.Context, x *exec, r *resourceState) error {
			_, err := x.call(ctx, "sns", "Unsubscribe", map[string]any{"SubscriptionArn": r.PhysicalID})
			return err
		},
	}
}

// queueDefaults are the attribute values a queue returns to when a template drops them.
var queueDefaults = map[string]string{"DelaySeconds": "0", "MaximumMessageSize": "1048576", "MessageRetentionPeriod": "345600",
	"ReceiveMessageWaitTimeSeconds": "0", "VisibilityTimeout": "30", "RedrivePolicy": "", "RedriveAllowPolicy": "",
	"KmsMasterKeyId": "", "KmsDataKeyReusePeriodSeconds": "300", "SqsManagedSseEnabled": "true", "ContentBasedDeduplication": "false",
	"DeduplicationScope": "queue", "FifoThroughputLimit": "perQueue"}

func queueAttributes(props map[string]any) map[string]string {
	attrs := map[string]string{}
	for k := range queueDefaults {
		if v, ok := props[k]; ok {
			if k == "RedrivePolicy" || k == "RedriveAllowPolicy" {
				attrs[k] = jsonText(v)
			} else {
				attrs[k] = str(props, k)
			}
		}
	}
	if str(props, "FifoQueue") == "true" {
		attrs["FifoQueue"] = "true"
	}
	return attrs
}

func createQueue(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
	name := str(props, "QueueName")
	if name == "" {
		name = x.name(80)
		if str(props, "FifoQueue") == "true" {
			name = x.name(75) + ".fifo"
		}
	}
	out, err := x.call(ctx, "sqs", "CreateQueue", map[string]any{"QueueName": name, "Attributes": queueAttributes(props), "Tags": tagMap(props)})
	if err != nil {
		return err
	}
	url, _ := out["QueueUrl"].(string)
	r.PhysicalID = url
	r.Attrs = map[string]any{"Arn": "arn:aws:sqs:" + x.region() + ":" + x.account() + ":" + name, "QueueName": name, "QueueUrl": url}
	return nil
}

func setQueuePolicy(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
	doc := jsonText(props["PolicyDocument"])
	queues := stringsOf(props["Queues"])
	for _, q := range queues {
		if _, err := x.call(ctx, "sqs", "SetQueueAttributes", map[string]any{"QueueUrl": q, "Attributes": map[string]string{"Policy": doc}}); err != nil {
			return err
		}
	}
	if r.PhysicalID == "" {
		r.PhysicalID = x.name(128)
	}
	r.Attrs = map[string]any{"Id": r.PhysicalID}
	return nil
}

func topicAttributes(props map[string]any) map[string]string {
	attrs := map[string]string{}
	for _, k := range []string{"DisplayName", "KmsMasterKeyId", "SignatureVersion", "TracingConfig", "ContentBasedDeduplication"} {
		if _, ok := props[k]; ok {
			attrs[k] = str(props, k)
		}
	}
	if _, ok := props["DataProtectionPolicy"]; ok {
		attrs["DataProtectionPolicy"] = jsonText(props["DataProtectionPolicy"])
	}
	if _, ok := props["ArchivePolicy"]; ok {
		attrs["ArchivePolicy"] = jsonText(props["ArchivePolicy"])
	}
	return attrs
}

func createTopic(ctx context.Context, x *exec, r *resourceState, props map[string]any) error {
	name := str(props, "TopicName")
	fifo := str(props, "FifoTopic") == "true"
	if name == "" {
		name = x.name(256)
		if fifo {
			name = x.name(251) + ".fifo"
		}
	}
	attrs := topicAttributes(props)
	if fifo {
		attrs["FifoTopic"] = "true"
	}
	out, err := x.call(ctx, "sns", "CreateTopic", map[string]any{"Name": name, "Attributes": attrs, "Tags": tagList(props)})
	if err != nil {
		return err
	}
	arn, _ := out["TopicArn"].(string)
	r.PhysicalID = arn
	r.Attrs = map[string]any{"TopicArn": arn, "TopicName": name}
	subs, _ := props["Subscription"].([]any)
	for _, sub := range subs {
		m, _ := sub.(map[string]any)
		if _, err := x.call(ctx, "sns", "Subscribe", map[string]any{"TopicArn": arn, "Protocol": str(m, "Protocol"), "Endpoint": str(m, "Endpoint")}); err != nil {
			return err
		}
	}
	return nil
}

func subscriptionAttributes(props map[string]any) map[string]string {
	attrs := map[string]string{}
	for _, k := range []string{"FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy"} {
		if v, ok := props[k]; ok {
			attrs[k] = jsonText(v)
		}
	}
	for _, k := range []string{"FilterPolicyScope", "RawMessageDelivery", "SubscriptionRoleArn"} {
		if _, ok := props[k]; ok {
			attrs[k] = strings.TrimSpace(str(props, k))
		}
	}
	return attrs
}
