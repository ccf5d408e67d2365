package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gureum/gureum/internal/cloudformation/template"
	"github.com/gureum/gureum/internal/s3"
	"github.com/gureum/gureum/internal/store"
)

var stackNameRe = regexp.MustCompile(`^[a-zA-Z][-a-zA-Z0-9]{0,127}$`)

func checkStackName(name string) error {
	if !stackNameRe.MatchString(name) {
		return validation("1 validation error detected: Value '%s' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*", name)
	}
	return nil
}

// body returns a request's template: its TemplateBody, or the object its TemplateURL names in
// gureum's S3 (path-style or virtual-hosted, s3.amazonaws.com names included).
func (s *Service) body(ctx context.Context, p principal, body, templateURL string) (string, error) {
	if body != "" || templateURL == "" {
		if body != "" && templateURL != "" {
			return "", validation("Specify exactly one of TemplateBody or TemplateUrl.")
		}
		return body, nil
	}
	u, err := url.Parse(templateURL)
	if err != nil || u.Host == "" {
		return "", validation("TemplateURL must be a supported URL.")
	}
	path := strings.TrimPrefix(u.Path, "/")
	var bucket, key string
	host := strings.ToLower(u.Hostname())
	if i := strings.Index(host, ".s3"); i > 0 && strings.Contains(host[i:], "amazonaws.com") {
		bucket, key = host[:i], path
	} else {
		bucket, key, _ = strings.Cut(path, "/")
	}
	if bucket == "" || key == "" {
		return "", validation("TemplateURL must be a supported URL.")
	}
	key, _ = url.PathUnescape(key)
	out, err := s.calls.call(ctx, p, "s3", "GetObject", &s3.ObjectInput{Bucket: bucket, Key: key, Header: http.Header{}, Query: url.Values{}})
	if err != nil {
		return "", validation("S3 error: Access Denied or no such object: %s", describeError(err))
	}
	got := out.(*s3.GetObjectOutput)
	b, err := io.ReadAll(io.LimitReader(got.Body, template.MaxBody+1))
	if c, ok := got.Body.(io.Closer); ok {
		c.Close()
	}
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// prepare reads, transforms and checks a template and resolves its parameters.
func (s *Service) prepare(ctx context.Context, p principal, body string, given []Parameter, previous []paramValue) (*prepared, error) {
	original, err := template.Parse(body)
	if err != nil {
		return nil, validation("%s", err.Error())
	}
	params, err := s.resolveParams(ctx, p, original, given, previous)
	if err != nil {
		return nil, err
	}
	original, tpl, ts, err := readTemplate(body, paramMap(original, params))
	if err != nil {
		return nil, err
	}
	if err := check(tpl); err != nil {
		return nil, err
	}
	// The dependency graph holds together (references exist, no cycles) before anything is made.
	probe := &stackDoc{Name: "probe", Account: p.Account, Resources: map[string]*resourceState{}}
	ev, _ := s.evaluator(ctx, probe, tpl, params, true)
	if _, _, err := graph(ev, tpl); err != nil {
		return nil, err
	}
	return &prepared{body: body, original: original, tpl: tpl, transforms: ts, params: params, caps: neededCaps(tpl)}, nil
}

// CreateStack creates a stack and makes its resources.
func (s *Service) CreateStack(ctx context.Context, in *CreateStackInput) (*StackIDOutput, error) {
	if err := checkStackName(in.StackName); err != nil {
		return nil, err
	}
	p := callerOf(ctx)
	body, err := s.body(ctx, p, in.TemplateBody, in.TemplateURL)
	if err != nil {
		return nil, err
	}
	if body == "" {
		return nil, validation("Either Template URL or Template Body must be specified.")
	}
	pr, err := s.prepare(ctx, p, body, in.Parameters, nil)
	if err != nil {
		return nil, err
	}
	if err := checkCaps(pr.caps, in.Capabilities, pr.transforms, true); err != nil {
		return nil, err
	}
	if in.StackPolicyBody != "" {
		if _, err := parseStackPolicy(in.StackPolicyBody); err != nil {
			return nil, err
		}
	}
	if _, err := s.store.StackByName(ctx, p.Account, in.StackName); err == nil {
		return nil, ErrAlreadyExists.Errorf("Stack [%s] already exists", in.StackName)
	}
	actor, err := s.asRole(ctx, p, in.RoleARN)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC()
	d := &stackDoc{ID: s.stackARN(p.Account, in.StackName), Name: in.StackName, Account: p.Account, Created: now,
		Capabilities: in.Capabilities, Tags: in.Tags, NotificationARNs: in.NotificationARNs, TerminationProtection: in.EnableTerminationProtection,
		StackPolicy: in.StackPolicyBody, Resources: map[string]*resourceState{}, Caller: actor, RoleARN: in.RoleARN}
	d.DisableRollback = in.DisableRollback != nil && *in.DisableRollback || in.OnFailure == "DO_NOTHING"
	d.Op = &operation{Kind: opCreate, Phase: "apply", Template: pr.tpl, Body: body, Params: pr.params, Disable: d.DisableRollback}
	d.Parameters = pr.params
	if desc, ok := pr.tpl["Description"].(string); ok {
		d.Description = desc
	}
	c := &change{d: d, now: now}
	c.stackEvent("CREATE_IN_PROGRESS", "User Initiated")
	w := s.waiter(d.ID)
	if err := s.createDoc(ctx, d, c.events, true); err != nil {
		s.signal(d.ID)
		return nil, err
	}
	s.await(ctx, d.ID, w)
	return &StackIDOutput{StackId: d.ID}, nil
}

func (s *Service) createDoc(ctx context.Context, d *stackDoc, events []store.StackEvent, task bool) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	err = s.store.CreateStack(ctx, store.Stack{ID: d.ID, Account: d.Account, Name: d.Name, Status: d.Status, Doc: b,
		Created: d.Created, Updated: d.Created}, events, task)
	if errors.Is(err, store.ErrExists) {
		return ErrAlreadyExists.Errorf("Stack [%s] already exists", d.Name)
	}
	return err
}

// updatable reports why a stack cannot be updated now, or nil.
func updatable(d *stackDoc) error {
	switch d.Status {
	case "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE":
		return nil
	}
	return validation("Stack:%s is in %s state and can not be updated.", d.ID, d.Status)
}

// UpdateStack changes a stack to a new template or parameters.
func (s *Service) UpdateStack(ctx context.Context, in *UpdateStackInput) (*StackIDOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	if err := updatable(d); err != nil {
		return nil, err
	}
	p := callerOf(ctx)
	body := d.Body
	if !in.UsePreviousTemplate {
		if body, err = s.body(ctx, p, in.TemplateBody, in.TemplateURL); err != nil {
			return nil, err
		}
		if body == "" {
			return nil, validation("Either Template URL or Template Body must be specified.")
		}
	}
	pr, err := s.prepare(ctx, p, body, in.Parameters, d.Parameters)
	if err != nil {
		return nil, err
	}
	if err := checkCaps(pr.caps, in.Capabilities, pr.transforms, true); err != nil {
		return nil, err
	}
	if same, err := s.unchanged(ctx, d, pr); err != nil {
		return nil, err
	} else if same && slices.Equal(in.Tags, d.Tags) {
		return nil, validation("No updates are to be performed.")
	}
	disable := in.DisableRollback != nil && *in.DisableRollback
	role := cmpOr(in.RoleARN, d.RoleARN)
	actor, err := s.asRole(ctx, p, role)
	if err != nil {
		return nil, err
	}
	if err := s.startUpdate(ctx, d.ID, actor, role, pr, in.Tags, in.NotificationARNs, disable, ""); err != nil {
		return nil, err
	}
	return &StackIDOutput{StackId: d.ID}, nil
}

// startUpdate stores an update operation and waits for it.
func (s *Service) startUpdate(ctx context.Context, id string, p principal, role string, pr *prepared, tags []Tag, notif []string, disable bool, changeSet string) error {
	w := s.waiter(id)
	_, err := s.mutate(ctx, id, true, func(c *change) error {
		if err := updatable(c.d); err != nil {
			return err
		}
		old := map[string]*resourceState{}
		for k, r := range c.d.Resources {
			old[k] = r.clone()
		}
		c.d.Op = &operation{Kind: opUpdate, Phase: "apply", Template: pr.tpl, Body: pr.body, Params: pr.params, OldTemplate: c.d.Template,
			OldBody: c.d.Body, OldParams: c.d.Parameters, Old: old, Change: map[string]string{}, Disable: disable, ChangeSetID: changeSet}
		if tags != nil {
			c.d.Tags = tags
		}
		if notif != nil {
			c.d.NotificationARNs = notif
		}
		c.d.Caller, c.d.RoleARN = p, role
		c.d.Updated = c.now
		c.stackEvent("UPDATE_IN_PROGRESS", "User Initiated")
		return nil
	})
	if err != nil {
		s.signal(id)
		return err
	}
	s.await(ctx, id, w)
	return nil
}

// unchanged reports whether a prepared template and parameters change nothing in a stack.
func (s *Service) unchanged(ctx context.Context, d *stackDoc, pr *prepared) (bool, error) {
	if !slices.Equal(pr.params, d.Parameters) {
		return false, nil
	}
	return template.JSON(pr.tpl) == template.JSON(d.Template), nil
}

// DeleteStack deletes a stack's resources, then the stack. A stack that does not exist is no
// error.
func (s *Service) DeleteStack(ctx context.Context, in *DeleteStackInput) (*Empty, error) {
	x, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return &Empty{}, nil
	}
	if x.Deleted {
		return &Empty{}, nil
	}
	if d.TerminationProtection {
		return nil, validation("Stack [%s] cannot be deleted while TerminationProtection is enabled", d.Name)
	}
	if d.Op != nil {
		if d.Op.Kind == opDelete {
			return &Empty{}, nil
		}
		return nil, validation("Stack [%s] cannot be deleted while in status %s", d.Name, d.Status)
	}
	if err := s.exportsInUse(ctx, d); err != nil {
		return nil, err
	}
	if len(in.RetainResources) > 0 && d.Status != "DELETE_FAILED" {
		return nil, validation("Invalid operation on stack [%s]: RetainResources may be given only for a stack in DELETE_FAILED", d.Name)
	}
	role := cmpOr(in.RoleARN, d.RoleARN)
	actor, err := s.asRole(ctx, callerOf(ctx), role)
	if err != nil {
		return nil, err
	}
	w := s.waiter(d.ID)
	_, err = s.mutate(ctx, d.ID, true, func(c *change) error {
		c.d.Op = &operation{Kind: opDelete, Phase: "apply", Retain: in.RetainResources}
		c.d.Caller, c.d.RoleARN = actor, role
		c.stackEvent("DELETE_IN_PROGRESS", "User Initiated")
		return nil
	})
	if err != nil {
		s.signal(d.ID)
		return nil, err
	}
	s.await(ctx, d.ID, w)
	return &Empty{}, nil
}

// exportsInUse refuses to delete a stack whose exports another stack imports.
func (s *Service) exportsInUse(ctx context.Context, d *stackDoc) error {
	if len(d.Outputs) == 0 {
		return nil
	}
	stacks, err := s.store.ListStacks(ctx, d.Account, false)
	if err != nil {
		return err
	}
	for _, x := range stacks {
		od, err := decodeDoc(x.Doc)
		if err != nil || x.ID == d.ID {
			continue
		}
		for _, o := range d.Outputs {
			if o.ExportName != "" && slices.Contains(od.Imports, o.ExportName) {
				return validation("Export %s cannot be deleted as it is in use by %s", o.ExportName, od.Name)
			}
		}
	}
	return nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Service) describe(d *stackDoc) Stack {
	st := Stack{StackId: d.ID, StackName: d.Name, ChangeSetId: d.ChangeSetID, Description: d.Description, CreationTime: d.Created,
		DeletionTime: timePtr(d.Deleted), LastUpdatedTime: timePtr(d.Updated), StackStatus: d.Status, StackStatusReason: d.Reason,
		DisableRollback: d.DisableRollback, NotificationARNs: d.NotificationARNs, Capabilities: d.Capabilities, Outputs: d.Outputs,
		Tags: d.Tags, EnableTerminationProtection: d.TerminationProtection, RoleARN: d.RoleARN}
	st.DriftInformation.StackDriftStatus = "NOT_CHECKED"
	for _, p := range d.Parameters {
		v := p.Value
		if p.NoEcho {
			v = "****"
		}
		st.Parameters = append(st.Parameters, Parameter{ParameterKey: p.Key, ParameterValue: v, ResolvedValue: p.Resolved})
	}
	return st
}

// DescribeStacks describes one stack, or every live stack of the account.
func (s *Service) DescribeStacks(ctx context.Context, in *DescribeStacksInput) (*DescribeStacksOutput, error) {
	if in.StackName != "" {
		_, d, err := s.load(ctx, in.StackName)
		if err != nil {
			return nil, err
		}
		return &DescribeStacksOutput{Stacks: []Stack{s.describe(d)}}, nil
	}
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), false)
	if err != nil {
		return nil, err
	}
	out := &DescribeStacksOutput{Stacks: []Stack{}}
	for i := len(stacks) - 1; i >= 0; i-- {
		d, err := decodeDoc(stacks[i].Doc)
		if err != nil {
			return nil, err
		}
		out.Stacks = append(out.Stacks, s.describe(d))
	}
	return out, nil
}

// ListStacks lists the account's stacks, deleted ones too, filtered by status.
func (s *Service) ListStacks(ctx context.Context, in *ListStacksInput) (*ListStacksOutput, error) {
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), true)
	if err != nil {
		return nil, err
	}
	out := &ListStacksOutput{StackSummaries: []StackSummary{}}
	for i := len(stacks) - 1; i >= 0; i-- {
		d, err := decodeDoc(stacks[i].Doc)
		if err != nil {
			return nil, err
		}
		if len(in.StackStatusFilter) > 0 && !slices.Contains(in.StackStatusFilter, d.Status) {
			continue
		}
		sum := StackSummary{StackId: d.ID, StackName: d.Name, TemplateDescription: d.Description, CreationTime: d.Created,
			LastUpdatedTime: timePtr(d.Updated), DeletionTime: timePtr(d.Deleted), StackStatus: d.Status, StackStatusReason: d.Reason}
		sum.DriftInformation.StackDriftStatus = "NOT_CHECKED"
		out.StackSummaries = append(out.StackSummaries, sum)
	}
	return out, nil
}

const eventsPage = 100

// DescribeStackEvents lists a stack's events, newest first, a page at a time.
func (s *Service) DescribeStackEvents(ctx context.Context, in *DescribeStackEventsInput) (*DescribeStackEventsOutput, error) {
	x, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	var before int64
	if in.NextToken != "" {
		if before, err = strconv.ParseInt(in.NextToken, 10, 64); err != nil || before <= 0 {
			return nil, validation("Invalid NextToken")
		}
	}
	evs, err := s.store.StackEvents(ctx, x.ID, before, eventsPage+1)
	if err != nil {
		return nil, err
	}
	out := &DescribeStackEventsOutput{StackEvents: []StackEvent{}}
	if len(evs) > eventsPage {
		evs = evs[:eventsPage]
		out.NextToken = strconv.FormatInt(evs[len(evs)-1].Seq, 10)
	}
	for _, e := range evs {
		var ev event
		if err := json.Unmarshal(e.Doc, &ev); err != nil {
			return nil, err
		}
		out.StackEvents = append(out.StackEvents, StackEvent{StackId: d.ID, EventId: ev.EventID, StackName: d.Name,
			LogicalResourceId: ev.Logical, PhysicalResourceId: ev.Physical, ResourceType: ev.Type, Timestamp: ev.Time,
			ResourceStatus: ev.Status, ResourceStatusReason: ev.Reason, ResourceProperties: ev.Properties, ClientRequestToken: ev.Token})
	}
	return out, nil
}

// liveResources lists a stack's resources as DescribeStackResources shows them.
func liveResources(d *stackDoc) []*resourceState {
	var out []*resourceState
	for _, id := range sortedKeysR(d.Resources) {
		r := d.Resources[id]
		if r.Status == "DELETE_COMPLETE" && d.Status != "DELETE_COMPLETE" && d.Status != "ROLLBACK_COMPLETE" {
			continue
		}
		out = append(out, r)
	}
	return out
}

// DescribeStackResources describes a stack's resources (or one of them).
func (s *Service) DescribeStackResources(ctx context.Context, in *DescribeStackResourcesInput) (*DescribeStackResourcesOutput, error) {
	if in.StackName == "" && in.PhysicalResourceId == "" {
		return nil, validation("Either StackName or PhysicalResourceId must be specified.")
	}
	var d *stackDoc
	var err error
	if in.StackName != "" {
		_, d, err = s.load(ctx, in.StackName)
	} else {
		d, err = s.byPhysicalID(ctx, in.PhysicalResourceId)
	}
	if err != nil {
		return nil, err
	}
	out := &DescribeStackResourcesOutput{StackResources: []StackResource{}}
	for _, r := range liveResources(d) {
		if in.LogicalResourceId != "" && r.LogicalID != in.LogicalResourceId {
			continue
		}
		sr := StackResource{StackName: d.Name, StackId: d.ID, LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID,
			ResourceType: r.Type, Timestamp: r.Updated, ResourceStatus: r.Status, ResourceStatusReason: r.Reason}
		sr.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
		out.StackResources = append(out.StackResources, sr)
	}
	return out, nil
}

func (s *Service) byPhysicalID(ctx context.Context, physical string) (*stackDoc, error) {
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), false)
	if err != nil {
		return nil, err
	}
	for _, x := range stacks {
		d, err := decodeDoc(x.Doc)
		if err != nil {
			continue
		}
		for _, r := range d.Resources {
			if r.PhysicalID == physical {
				return d, nil
			}
		}
	}
	return nil, validation("Stack for %s does not exist", physical)
}

// DescribeStackResource describes one resource of a stack.
func (s *Service) DescribeStackResource(ctx context.Context, in *DescribeStackResourceInput) (*DescribeStackResourceOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	r := d.Resources[in.LogicalResourceId]
	if r == nil {
		return nil, validation("Resource %s does not exist for stack %s", in.LogicalResourceId, in.StackName)
	}
	det := StackResourceDetail{StackName: d.Name, StackId: d.ID, LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID,
		ResourceType: r.Type, LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status, ResourceStatusReason: r.Reason}
	if r.Metadata != nil {
		det.Metadata = template.JSON(r.Metadata)
	}
	det.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
	return &DescribeStackResourceOutput{StackResourceDetail: det}, nil
}

// ListStackResources lists a stack's resources.
func (s *Service) ListStackResources(ctx context.Context, in *ListStackResourcesInput) (*ListStackResourcesOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	out := &ListStackResourcesOutput{StackResourceSummaries: []StackResourceSummary{}}
	for _, r := range liveResources(d) {
		sum := StackResourceSummary{LogicalResourceId: r.LogicalID, PhysicalResourceId: r.PhysicalID, ResourceType: r.Type,
			LastUpdatedTimestamp: r.Updated, ResourceStatus: r.Status, ResourceStatusReason: r.Reason}
		sum.DriftInformation.StackResourceDriftStatus = "NOT_CHECKED"
		out.StackResourceSummaries = append(out.StackResourceSummaries, sum)
	}
	return out, nil
}

// GetTemplate returns a stack's (or change set's) template, as submitted or processed.
func (s *Service) GetTemplate(ctx context.Context, in *GetTemplateInput) (*GetTemplateOutput, error) {
	if in.StackName == "" && !isARN(in.ChangeSetName) {
		return nil, validation("StackName must be specified if ChangeSetName is not specified as an ARN.")
	}
	_, d, err := s.load(ctx, in.StackName)
	if in.StackName == "" || err != nil {
		if d, err = s.stackOfChangeSet(ctx, in.ChangeSetName); err != nil {
			return nil, err
		}
	}
	body, tpl := d.Body, d.Template
	if in.ChangeSetName != "" {
		cs := d.changeSet(in.ChangeSetName)
		if cs == nil {
			return nil, ErrChangeSetNotFound.Errorf("ChangeSet [%s] does not exist", in.ChangeSetName)
		}
		body, tpl = cs.Body, cs.Template
	}
	out := &GetTemplateOutput{TemplateBody: body, StagesAvailable: []string{"Original", "Processed"}}
	if in.TemplateStage == "Processed" {
		out.TemplateBody = template.JSON(tpl)
	}
	return out, nil
}

// templateFor reads GetTemplateSummary's or ValidateTemplate's template.
func (s *Service) templateFor(ctx context.Context, body, templateURL, stackName string) (string, error) {
	if stackName != "" {
		_, d, err := s.load(ctx, stackName)
		if err != nil {
			return "", err
		}
		return d.Body, nil
	}
	b, err := s.body(ctx, callerOf(ctx), body, templateURL)
	if err == nil && b == "" {
		err = validation("Either Template URL or Template Body must be specified.")
	}
	return b, err
}

func declarations(tpl map[string]any) []ParameterDeclaration {
	decls, _ := tpl["Parameters"].(map[string]any)
	out := []ParameterDeclaration{}
	for _, key := range sortedKeys(decls) {
		decl, _ := decls[key].(map[string]any)
		pd := ParameterDeclaration{ParameterKey: key, NoEcho: isTrue(decl["NoEcho"])}
		pd.ParameterType, _ = decl["Type"].(string)
		pd.Description, _ = decl["Description"].(string)
		if def, ok := decl["Default"]; ok {
			pd.DefaultValue, _ = template.String(def)
		}
		pd.ParameterConstraints.AllowedValues = stringsOf(decl["AllowedValues"])
		out = append(out, pd)
	}
	return out
}

// GetTemplateSummary describes a template: its parameters, resource types and capabilities.
func (s *Service) GetTemplateSummary(ctx context.Context, in *GetTemplateSummaryInput) (*GetTemplateSummaryOutput, error) {
	body, err := s.templateFor(ctx, in.TemplateBody, in.TemplateURL, in.StackName)
	if err != nil {
		return nil, err
	}
	original, tpl, ts, err := readTemplate(body, nil)
	if err != nil {
		return nil, err
	}
	out := &GetTemplateSummaryOutput{Parameters: declarations(original), DeclaredTransforms: ts, Capabilities: neededCaps(tpl),
		ResourceTypes: []string{}}
	if len(ts) > 0 {
		out.Capabilities = append(out.Capabilities, "CAPABILITY_AUTO_EXPAND")
	}
	if len(out.Capabilities) > 0 {
		out.CapabilitiesReason = "The following resource(s) require capabilities: [AWS::IAM::Role]"
	}
	out.Description, _ = original["Description"].(string)
	if v, ok := original["AWSTemplateFormatVersion"]; ok {
		out.Version, _ = template.String(v)
	}
	if md, ok := original["Metadata"]; ok {
		out.Metadata = template.JSON(md)
	}
	seen := map[string]bool{}
	res, _ := tpl["Resources"].(map[string]any)
	for _, id := range sortedKeys(res) {
		def, _ := res[id].(map[string]any)
		if t, _ := def["Type"].(string); t != "" && !seen[t] {
			seen[t] = true
			out.ResourceTypes = append(out.ResourceTypes, t)
		}
	}
	return out, nil
}

// ValidateTemplate checks a template and describes its parameters.
func (s *Service) ValidateTemplate(ctx context.Context, in *ValidateTemplateInput) (*ValidateTemplateOutput, error) {
	body, err := s.templateFor(ctx, in.TemplateBody, in.TemplateURL, "")
	if err != nil {
		return nil, err
	}
	original, tpl, ts, err := readTemplate(body, nil)
	if err != nil {
		return nil, err
	}
	if err := check(tpl); err != nil {
		return nil, err
	}
	out := &ValidateTemplateOutput{DeclaredTransforms: ts, Capabilities: neededCaps(tpl), Parameters: []TemplateParameter{}}
	if len(out.Capabilities) > 0 {
		out.CapabilitiesReason = "The following resource(s) require capabilities: [AWS::IAM::Role]"
	}
	out.Description, _ = original["Description"].(string)
	for _, pd := range declarations(original) {
		out.Parameters = append(out.Parameters, TemplateParameter{ParameterKey: pd.ParameterKey, DefaultValue: pd.DefaultValue, NoEcho: pd.NoEcho,
			Description: pd.Description})
	}
	return out, nil
}

// ListExports lists the account's exported outputs.
func (s *Service) ListExports(ctx context.Context, in *ListExportsInput) (*ListExportsOutput, error) {
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), false)
	if err != nil {
		return nil, err
	}
	out := &ListExportsOutput{Exports: []Export{}}
	for _, x := range stacks {
		d, err := decodeDoc(x.Doc)
		if err != nil {
			return nil, err
		}
		for _, o := range d.Outputs {
			if o.ExportName != "" {
				out.Exports = append(out.Exports, Export{ExportingStackId: d.ID, Name: o.ExportName, Value: o.OutputValue})
			}
		}
	}
	return out, nil
}

// ListImports lists the stacks that import an export.
func (s *Service) ListImports(ctx context.Context, in *ListImportsInput) (*ListImportsOutput, error) {
	stacks, err := s.store.ListStacks(ctx, callerAccount(ctx), false)
	if err != nil {
		return nil, err
	}
	out := &ListImportsOutput{Imports: []string{}}
	exported := false
	for _, x := range stacks {
		d, err := decodeDoc(x.Doc)
		if err != nil {
			return nil, err
		}
		for _, o := range d.Outputs {
			exported = exported || o.ExportName == in.ExportName
		}
		if slices.Contains(d.Imports, in.ExportName) {
			out.Imports = append(out.Imports, d.Name)
		}
	}
	if !exported {
		return nil, validation("Export '%s' does not exist.", in.ExportName)
	}
	if len(out.Imports) == 0 {
		return nil, validation("Export '%s' is not imported by any stack.", in.ExportName)
	}
	return out, nil
}

// UpdateTerminationProtection turns a stack's termination protection on or off.
func (s *Service) UpdateTerminationProtection(ctx context.Context, in *UpdateTerminationProtectionInput) (*StackIDOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	_, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.TerminationProtection = in.EnableTerminationProtection
		return nil
	})
	return &StackIDOutput{StackId: d.ID}, err
}

// SetStackPolicy sets the policy that a stack's updates are held to.
func (s *Service) SetStackPolicy(ctx context.Context, in *StackPolicyInput) (*Empty, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	if in.StackPolicyBody != "" {
		if _, err := parseStackPolicy(in.StackPolicyBody); err != nil {
			return nil, err
		}
	}
	_, err = s.mutate(ctx, d.ID, false, func(c *change) error {
		c.d.StackPolicy = in.StackPolicyBody
		return nil
	})
	return &Empty{}, err
}

// GetStackPolicy returns a stack's policy.
func (s *Service) GetStackPolicy(ctx context.Context, in *StackPolicyInput) (*GetStackPolicyOutput, error) {
	_, d, err := s.load(ctx, in.StackName)
	if err != nil {
		return nil, err
	}
	return &GetStackPolicyOutput{StackPolicyBody: d.StackPolicy}, nil
}
