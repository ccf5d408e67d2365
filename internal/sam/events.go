package sam

import (
	"regexp"
	"strings"
)

// targetARN is the ARN events invoke: the alias's (its Ref) or the function's.
func (f *fn) targetARN() any {
	if r, ok := f.target.(map[string]any)["Ref"].(string); ok && r != f.id {
		return f.target
	}
	return getAtt(f.id, "Arn")
}

// permission adds the Lambda permission an event source needs.
func (x *expander) permission(f *fn, id, principal string, extra map[string]any) {
	props := map[string]any{"Action": "lambda:InvokeFunction", "FunctionName": f.target, "Principal": principal}
	for k, v := range extra {
		props[k] = v
	}
	x.out[id] = x.conditioned(f, map[string]any{"Type": "AWS::Lambda::Permission", "Properties": props})
}

func (x *expander) conditioned(f *fn, res map[string]any) map[string]any {
	if c, ok := f.def["Condition"]; ok {
		res["Condition"] = c
	}
	return res
}

func copyProps(from map[string]any, into map[string]any, keys ...string) {
	for _, k := range keys {
		if v, ok := from[k]; ok {
			into[k] = v
		}
	}
}

var eventProps = map[string][]string{
	"SQS":             {"Queue", "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria", "ScalingConfig"},
	"SNS":             {"Topic", "FilterPolicy", "FilterPolicyScope", "Region"},
	"Schedule":        {"Schedule", "Input", "Enabled", "State", "Name", "Description", "RetryPolicy", "DeadLetterConfig"},
	"EventBridgeRule": {"Pattern", "EventBusName", "Input", "InputPath", "Target", "State", "RuleName", "RetryPolicy", "DeadLetterConfig"},
	"S3":              {"Bucket", "Events", "Filter"},
	"Api":             {"Path", "Method", "RestApiId", "Auth", "RequestParameters", "RequestModel"},
	"HttpApi":         {"Path", "Method", "ApiId", "TimeoutInMillis", "PayloadFormatVersion", "Auth"},
}

// event expands one of a function's events.
func (x *expander) event(f *fn, name string, ev map[string]any) error {
	typ, _ := ev["Type"].(string)
	if typ == "CloudWatchEvent" {
		typ = "EventBridgeRule"
	}
	allowed, ok := eventProps[typ]
	if !ok {
		return invalid(f.id, "Event with id [%s] is invalid. gureum does not support events of type %v yet.", name, ev["Type"])
	}
	props, _ := ev["Properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
	}
	for k := range props {
		found := false
		for _, a := range allowed {
			found = found || a == k
		}
		if !found {
			return invalid(f.id, "Event with id [%s] is invalid. gureum does not support property %s of %s events.", name, k, typ)
		}
	}
	id := f.id + name
	switch typ {
	case "SQS":
		if _, ok := props["Queue"]; !ok {
			return invalid(f.id, "Event with id [%s] is invalid. Missing required property 'Queue'.", name)
		}
		esm := map[string]any{"EventSourceArn": props["Queue"], "FunctionName": f.target}
		copyProps(props, esm, "BatchSize", "Enabled", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes", "FilterCriteria", "ScalingConfig")
		x.out[id] = x.conditioned(f, map[string]any{"Type": "AWS::Lambda::EventSourceMapping", "Properties": esm})
		f.addManaged("arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole")
	case "SNS":
		sub := map[string]any{"Endpoint": f.targetARN(), "Protocol": "lambda", "TopicArn": props["Topic"]}
		copyProps(props, sub, "FilterPolicy", "FilterPolicyScope", "Region")
		x.out[id] = x.conditioned(f, map[string]any{"Type": "AWS::SNS::Subscription", "Properties": sub})
		x.permission(f, id+"Permission", "sns.amazonaws.com", map[string]any{"SourceArn": props["Topic"]})
	case "Schedule", "EventBridgeRule":
		rule := map[string]any{}
		if typ == "Schedule" {
			rule["ScheduleExpression"] = props["Schedule"]
			copyProps(props, rule, "Name", "Description", "State")
			if e, ok := props["Enabled"]; ok {
				if e == false {
					rule["State"] = "DISABLED"
				} else {
					rule["State"] = "ENABLED"
				}
			}
		} else {
			rule["EventPattern"] = props["Pattern"]
			copyProps(props, rule, "EventBusName", "State")
			if n, ok := props["RuleName"]; ok {
				rule["Name"] = n
			}
		}
		target := map[string]any{"Arn": f.targetARN(), "Id": id + "LambdaTarget"}
		copyProps(props, target, "Input", "InputPath", "RetryPolicy", "DeadLetterConfig")
		if t, ok := props["Target"].(map[string]any); ok {
			if tid, ok := t["Id"]; ok {
				target["Id"] = tid
			}
		}
		rule["Targets"] = []any{target}
		x.out[id] = x.conditioned(f, map[string]any{"Type": "AWS::Events::Rule", "Properties": rule})
		x.permission(f, id+"Permission", "events.amazonaws.com", map[string]any{"SourceArn": getAtt(id, "Arn")})
	case "S3":
		return x.s3Event(f, name, id, props)
	case "Api":
		return x.apiEvent(f, name, props)
	case "HttpApi":
		return x.httpEvent(f, name, props)
	}
	return nil
}

func (f *fn) addManaged(arn string) {
	for _, m := range f.managed {
		if m == arn {
			return
		}
	}
	f.managed = append(f.managed, arn)
}

// s3Event adds the permission and writes the function into the bucket's notifications.
func (x *expander) s3Event(f *fn, name, id string, props map[string]any) error {
	bref, _ := props["Bucket"].(map[string]any)
	bucketID, _ := bref["Ref"].(string)
	bucket, _ := x.res[bucketID].(map[string]any)
	if bucket == nil || bucket["Type"] != "AWS::S3::Bucket" {
		return invalid(f.id, "Event with id [%s] is invalid. S3 events must reference an S3 bucket in the same template.", name)
	}
	perm := id + "Permission"
	x.permission(f, perm, "s3.amazonaws.com", map[string]any{"SourceAccount": ref("AWS::AccountId")})
	bp, _ := bucket["Properties"].(map[string]any)
	if bp == nil {
		bp = map[string]any{}
		bucket["Properties"] = bp
	}
	nc, _ := bp["NotificationConfiguration"].(map[string]any)
	if nc == nil {
		nc = map[string]any{}
		bp["NotificationConfiguration"] = nc
	}
	lcs, _ := nc["LambdaConfigurations"].([]any)
	var events []any
	switch e := props["Events"].(type) {
	case string:
		events = []any{e}
	case []any:
		events = e
	}
	for _, e := range events {
		lc := map[string]any{"Event": e, "Function": f.targetARN()}
		if flt, ok := props["Filter"]; ok {
			lc["Filter"] = flt
		}
		lcs = append(lcs, lc)
	}
	nc["LambdaConfigurations"] = lcs
	switch d := bucket["DependsOn"].(type) {
	case nil:
		bucket["DependsOn"] = []any{perm}
	case string:
		bucket["DependsOn"] = []any{d, perm}
	case []any:
		bucket["DependsOn"] = append(d, perm)
	}
	return nil
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// apiEvent adds a path and method to the event's API (the implicit ServerlessRestApi unless
// RestApiId names one), and the permission API Gateway needs.
func (x *expander) apiEvent(f *fn, name string, props map[string]any) error {
	path, _ := props["Path"].(string)
	method, _ := props["Method"].(string)
	if path == "" || method == "" {
		return invalid(f.id, "Event with id [%s] is invalid. Event is missing key 'Path' or 'Method'.", name)
	}
	method = strings.ToLower(method)
	apiID := "ServerlessRestApi"
	if r, ok := props["RestApiId"].(map[string]any); ok {
		apiID, _ = r["Ref"].(string)
	}
	api := x.apis[apiID]
	if api == nil {
		if apiID != "ServerlessRestApi" {
			return invalid(f.id, "Event with id [%s] is invalid. RestApiId must be a valid reference to an 'AWS::Serverless::Api' resource in same template.", name)
		}
		api = x.implicitAPI()
	}
	uri := "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + f.id + ".Arn}/invocations"
	if r, _ := f.target.(map[string]any)["Ref"].(string); r != f.id {
		uri = "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + r + "}/invocations"
	}
	op := map[string]any{"x-amazon-apigateway-integration": map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": sub(uri)},
		"responses": map[string]any{}}
	keyRequired := api.keyRequired
	if auth, ok := props["Auth"].(map[string]any); ok {
		if bad := unsupported(auth, eventAuthProps); bad != "" {
			return invalid(f.id, "Event with id [%s] is invalid. gureum does not support these Auth properties of Api events: %s.", name, bad)
		}
		if v, ok := auth["ApiKeyRequired"].(bool); ok {
			keyRequired = v
		}
	}
	if keyRequired {
		op["security"] = []any{map[string]any{"api_key": []any{}}}
		api.usesKeys = true
	} else if api.keyRequired {
		op["security"] = []any{}
	}
	if !api.generated && api.explicitBody {
		return invalid(f.id, "Event with id [%s] is invalid. gureum does not add events to an API with a DefinitionBody yet.", name)
	}
	if api.body != nil { // nil: DefinitionUri, whose document has the routes
		paths, _ := api.body["paths"].(map[string]any)
		pm, _ := paths[path].(map[string]any)
		if pm == nil {
			pm = map[string]any{}
			paths[path] = pm
		}
		verb := method
		if method == "any" {
			verb = "x-amazon-apigateway-any-method"
		}
		pm[verb] = op
	}
	arnMethod := strings.ToUpper(method)
	if arnMethod == "ANY" {
		arnMethod = "*"
	}
	// As the translator writes it: a trailing slash dropped except from the root ("/" stays, so a
	// root method's SourceArn ends in "GET/", the ARN API Gateway invokes with), {params} as "*".
	sourcePath := path
	if len(sourcePath) > 1 {
		sourcePath = strings.TrimSuffix(sourcePath, "/")
	}
	sourcePath = pathParam.ReplaceAllString(sourcePath, "*")
	x.permission(f, f.id+name+"Permission"+api.permissionStage(), "apigateway.amazonaws.com", map[string]any{"SourceArn": map[string]any{
		"Fn::Sub": []any{"arn:aws:execute-api:${AWS::Region}:${AWS::AccountId}:${__ApiId__}/${__Stage__}/" + arnMethod + sourcePath,
			map[string]any{"__ApiId__": ref(apiID), "__Stage__": "*"}}}})
	return nil
}
