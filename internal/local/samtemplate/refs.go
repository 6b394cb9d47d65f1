package samtemplate

import (
	"fmt"
	"strings"
)

// ref evaluates Ref: pseudo parameters, parameters, then resources.
func (r *resolver) ref(name string) (any, error) {
	if v, ok := r.pseudo(name); ok {
		return v, nil
	}
	if p, ok := r.params[name]; ok {
		return p.ref()
	}
	if res, ok := r.resources[name]; ok {
		return r.physicalID(res)
	}
	if role, ok := r.implicitRole(name); ok {
		return role, nil
	}
	return nil, r.notFound(name)
}

func (r *resolver) pseudo(name string) (any, bool) {
	o := r.opts
	switch name {
	case "AWS::Region":
		return o.Region, true
	case "AWS::AccountId":
		return o.AccountID, true
	case "AWS::StackName":
		return o.StackName, true
	case "AWS::Partition":
		return o.partition(), true
	case "AWS::URLSuffix":
		return o.urlSuffix(), true
	case "AWS::NoValue":
		return noValue, true
	case "AWS::NotificationARNs":
		return []any{}, true
	case "AWS::StackId":
		return r.arn("cloudformation", "stack/"+o.StackName+"/"+derivedID(o.StackName)), true
	}
	return nil, false
}

// implicitRole answers for the {Function}Role that SAM generates for a
// function declared without a Role, which templates may reference.
func (r *resolver) implicitRole(name string) (string, bool) {
	fn, ok := r.resources[strings.TrimSuffix(name, "Role")]
	if !ok || !strings.HasSuffix(name, "Role") || fn.Type != serverlessFunction {
		return "", false
	}
	_, hasRole := fn.Properties["Role"]
	return name, !hasRole
}

// physicalID is what Ref returns for a resource, memoised; a reference
// cycle is an error rather than a stack overflow.
func (r *resolver) physicalID(res *resource) (string, error) {
	if id, ok := r.refMemo[res.ID]; ok {
		return id, nil
	}
	if r.refBusy[res.ID] {
		return "", &Error{Resource: res.ID, Err: fmt.Errorf("circular reference")}
	}
	r.refBusy[res.ID] = true
	defer delete(r.refBusy, res.ID)
	id, err := r.computeRef(res)
	if err != nil {
		return "", err
	}
	r.refMemo[res.ID] = id
	return id, nil
}

func (r *resolver) computeRef(res *resource) (string, error) {
	switch res.Type {
	case serverlessFunction, lambdaFunction:
		return r.nameOr(res, "FunctionName")
	case apiV2:
		return r.apiID(res)
	case apiV2Stage:
		return r.nameOr(res, "StageName")
	case dynamoTable, simpleTable:
		return r.nameOr(res, "TableName")
	case iamRole:
		return r.nameOr(res, "RoleName")
	case "AWS::Logs::LogGroup":
		return r.nameOr(res, "LogGroupName")
	case "AWS::S3::Bucket":
		name, err := r.nameOr(res, "BucketName")
		return strings.ToLower(name), err
	case "AWS::SQS::Queue":
		name, err := r.nameOr(res, "QueueName")
		return fmt.Sprintf("https://sqs.%s.%s/%s/%s", r.opts.Region, r.opts.urlSuffix(), r.opts.AccountID, name), err
	case "AWS::SNS::Topic":
		name, err := r.nameOr(res, "TopicName")
		return r.arn("sns", name), err
	}
	return res.ID, nil
}

// nameOr returns the resource's name property, or its logical id.
func (r *resolver) nameOr(res *resource, key string) (string, error) {
	name, err := r.propString(res, key)
	if name == "" && err == nil {
		name = res.ID
	}
	return name, err
}

func (r *resolver) apiID(res *resource) (string, error) {
	if r.opts.APIID != "" {
		ws, err := r.isWebSocket(res)
		if ws || err != nil {
			return r.opts.APIID, err
		}
	}
	return derivedID(res.ID), nil
}

func (r *resolver) isWebSocket(res *resource) (bool, error) {
	p, err := r.propString(res, "ProtocolType")
	return strings.EqualFold(p, "WEBSOCKET"), err
}

// arn builds a regional ARN of this account.
func (r *resolver) arn(service, rest string) string {
	o := r.opts
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", o.partition(), service, o.Region, o.AccountID, rest)
}

// getAtt evaluates Fn::GetAtt with plausible local values.
func (r *resolver) getAtt(id, attr string) (any, error) {
	res, ok := r.resources[id]
	if !ok {
		if role, ok := r.implicitRole(id); ok {
			return r.roleAtt(role, attr), nil
		}
		return nil, r.notFound(id)
	}
	name, err := r.physicalID(res)
	if err != nil {
		return nil, err
	}
	switch res.Type {
	case serverlessFunction, lambdaFunction:
		return r.functionAtt(res, name, attr)
	case apiV2:
		return r.apiAtt(res, name, attr)
	case dynamoTable, simpleTable:
		return r.tableAtt(name, attr), nil
	case iamRole:
		return r.roleAtt(name, attr), nil
	case "AWS::Logs::LogGroup":
		return r.arn("logs", "log-group:"+name+":*"), nil
	}
	return r.genericAtt(res, attr), nil
}

func (r *resolver) functionAtt(res *resource, name, attr string) (any, error) {
	if attr != "Arn" {
		return nil, &UnsupportedError{Feature: "Fn::GetAtt " + res.ID + "." + attr}
	}
	arn := r.arn("lambda", "function:"+name)
	r.functionARNs[arn] = res.ID
	return arn, nil
}

func (r *resolver) apiAtt(res *resource, id, attr string) (any, error) {
	switch attr {
	case "ApiId":
		return id, nil
	case "ApiEndpoint":
		return r.apiEndpoint(res, id)
	}
	return nil, &UnsupportedError{Feature: "Fn::GetAtt " + res.ID + "." + attr}
}

func (r *resolver) apiEndpoint(res *resource, id string) (string, error) {
	ws, err := r.isWebSocket(res)
	if err != nil {
		return "", err
	}
	if ws && r.opts.APIEndpoint != "" {
		return r.opts.APIEndpoint, nil
	}
	scheme := "https"
	if ws {
		scheme = "wss"
	}
	return fmt.Sprintf("%s://%s.execute-api.%s.%s", scheme, id, r.opts.Region, r.opts.urlSuffix()), nil
}

func (r *resolver) tableAtt(name, attr string) string {
	arn := r.arn("dynamodb", "table/"+name)
	if attr == "StreamArn" {
		return arn + "/stream/1970-01-01T00:00:00.000"
	}
	return arn
}

func (r *resolver) roleAtt(name, attr string) string {
	if attr == "RoleId" {
		return "AROA" + strings.ToUpper(derivedID(name))
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", r.opts.partition(), r.opts.AccountID, name)
}

// genericAtt gives a plausible value for resources the model does not
// use, so templates that reference them still load.
func (r *resolver) genericAtt(res *resource, attr string) string {
	if attr == "Arn" || strings.HasSuffix(attr, "Arn") {
		parts := strings.Split(res.Type, "::")
		service := strings.ToLower(parts[min(1, len(parts)-1)])
		return r.arn(service, res.ID)
	}
	return res.ID + "-" + strings.ToLower(attr)
}
