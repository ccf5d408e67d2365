package request

// Source is what a service acts for when it calls another service on its own behalf, as an S3
// bucket's notification, an SNS topic's delivery, an EventBridge rule's target, a schedule or an
// API Gateway route invokes a function: ARN and Account are the call's aws:SourceArn and
// aws:SourceAccount, which the destination's resource policy may require. Role, when set, is the
// role the service assumes for the call (EventBridge's and Scheduler's RoleArn, API Gateway's
// integration credentials): the role's own policies then authorize it.
type Source struct {
	ARN, Account, Role string
}
