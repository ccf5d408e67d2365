package sam

// SAM's policy templates that gureum expands (the translator's policy_templates.json is the
// reference; these are written out from its definitions). Each is the policy's statements with
// the template's parameter names where their values go.

type policyTemplate struct {
	params     []string
	statements func(p map[string]any) []any
}

func arnSub(pattern, varName, param string) func(p map[string]any) any {
	return func(p map[string]any) any {
		return map[string]any{"Fn::Sub": []any{pattern, map[string]any{varName: p[param]}}}
	}
}

func statement(actions any, resource any) map[string]any {
	return map[string]any{"Action": actions, "Effect": "Allow", "Resource": resource}
}

func actions(a ...string) []any {
	out := make([]any, len(a))
	for i, s := range a {
		out[i] = s
	}
	return out
}

func bucketResources(p map[string]any) []any {
	return []any{
		arnSub("arn:${AWS::Partition}:s3:::${bucketName}", "bucketName", "BucketName")(p),
		arnSub("arn:${AWS::Partition}:s3:::${bucketName}/*", "bucketName", "BucketName")(p),
	}
}

func tableResources(p map[string]any) []any {
	return []any{
		arnSub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}", "tableName", "TableName")(p),
		arnSub("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${tableName}/index/*", "tableName", "TableName")(p),
	}
}

var policyTemplates = map[string]policyTemplate{
	"SQSPollerPolicy": {[]string{"QueueName"}, func(p map[string]any) []any {
		return []any{statement(actions("sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
			"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"),
			arnSub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}", "queueName", "QueueName")(p))}
	}},
	"SQSSendMessagePolicy": {[]string{"QueueName"}, func(p map[string]any) []any {
		return []any{statement(actions("sqs:SendMessage*"),
			arnSub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${queueName}", "queueName", "QueueName")(p))}
	}},
	"S3ReadPolicy": {[]string{"BucketName"}, func(p map[string]any) []any {
		return []any{statement(actions("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
			"s3:GetLifecycleConfiguration"), bucketResources(p))}
	}},
	"S3CrudPolicy": {[]string{"BucketName"}, func(p map[string]any) []any {
		return []any{statement(actions("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject",
			"s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"), bucketResources(p))}
	}},
	"S3WritePolicy": {[]string{"BucketName"}, func(p map[string]any) []any {
		return []any{statement(actions("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"), bucketResources(p))}
	}},
	"LambdaInvokePolicy": {[]string{"FunctionName"}, func(p map[string]any) []any {
		return []any{statement(actions("lambda:InvokeFunction"),
			arnSub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${functionName}*", "functionName", "FunctionName")(p))}
	}},
	"DynamoDBCrudPolicy": {[]string{"TableName"}, func(p map[string]any) []any {
		return []any{statement(actions("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
			"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"),
			tableResources(p))}
	}},
	"DynamoDBReadPolicy": {[]string{"TableName"}, func(p map[string]any) []any {
		return []any{statement(actions("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"),
			tableResources(p))}
	}},
	"SNSPublishMessagePolicy": {[]string{"TopicName"}, func(p map[string]any) []any {
		return []any{statement(actions("sns:Publish"),
			arnSub("arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${topicName}", "topicName", "TopicName")(p))}
	}},
	"SSMParameterReadPolicy": {[]string{"ParameterName"}, func(p map[string]any) []any {
		return []any{statement(actions("ssm:DescribeParameters"), "*"),
			statement(actions("ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"),
				arnSub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${parameterName}", "parameterName", "ParameterName")(p))}
	}},
	"EventBridgePutEventsPolicy": {[]string{"EventBusName"}, func(p map[string]any) []any {
		return []any{statement("events:PutEvents",
			arnSub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${eventBusName}", "eventBusName", "EventBusName")(p))}
	}},
	"AWSSecretsManagerGetSecretValuePolicy": {[]string{"SecretArn"}, func(p map[string]any) []any {
		return []any{statement(actions("secretsmanager:GetSecretValue"), arnSub("${secretArn}", "secretArn", "SecretArn")(p))}
	}},
	"KMSDecryptPolicy": {[]string{"KeyId"}, func(p map[string]any) []any {
		return []any{statement("kms:Decrypt",
			arnSub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${keyId}", "keyId", "KeyId")(p))}
	}},
	"CloudWatchPutMetricPolicy": {nil, func(p map[string]any) []any {
		return []any{statement(actions("cloudwatch:PutMetricData"), "*")}
	}},
}
