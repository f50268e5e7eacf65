# gureum's Ruby runtime: the Lambda Runtime API loop for `file.method` and `file.Module::Class.method` handlers,
# called as handler(event:, context:) like AWS's. Gems vendored with the function (vendor/bundle/ruby/<abi>) and in
# the layers (/opt/ruby/gems/<abi>) are on the load path; errors go back as {errorMessage, errorType, stackTrace}.
require 'json'
require 'net/http'
require 'time'

API = ENV.fetch('AWS_LAMBDA_RUNTIME_API')
PREFIX = '/2018-06-01/runtime'
host, port = API.split(':')
HTTP = Net::HTTP.new(host, port.to_i)
HTTP.read_timeout = nil
HTTP.keep_alive_timeout = 3600
HTTP.start
$stdout.sync = true
$stderr.sync = true

# The context object, with the methods AWS documents for Ruby.
class LambdaContext
  attr_reader :aws_request_id, :invoked_function_arn, :function_name, :function_version, :memory_limit_in_mb,
              :log_group_name, :log_stream_name, :client_context, :identity, :deadline_ms

  def initialize(headers)
    @aws_request_id = headers['lambda-runtime-aws-request-id']
    @invoked_function_arn = headers['lambda-runtime-invoked-function-arn']
    @deadline_ms = headers['lambda-runtime-deadline-ms'].to_i
    @function_name = ENV['AWS_LAMBDA_FUNCTION_NAME']
    @function_version = ENV['AWS_LAMBDA_FUNCTION_VERSION']
    @memory_limit_in_mb = ENV['AWS_LAMBDA_FUNCTION_MEMORY_SIZE']
    @log_group_name = ENV['AWS_LAMBDA_LOG_GROUP_NAME']
    @log_stream_name = ENV['AWS_LAMBDA_LOG_STREAM_NAME']
    context = headers['lambda-runtime-client-context']
    @client_context = context ? JSON.parse(context) : nil
    identity = headers['lambda-runtime-cognito-identity']
    @identity = identity ? JSON.parse(identity) : nil
  end

  def get_remaining_time_in_millis
    [@deadline_ms - (Time.now.to_f * 1000).to_i, 0].max
  end
end

def vendored_gems(root)
  Dir.glob(File.join(root, 'vendor', 'bundle', 'ruby', '*', 'gems', '*', 'lib')) +
    Dir.glob(File.join(ENV['GUREUM_OPT'] || '/opt', 'ruby', 'gems', '*', 'gems', '*', 'lib'))
end

def error_doc(error, type = nil)
  { 'errorMessage' => error.message, 'errorType' => type || "Function<#{error.class}>",
    'stackTrace' => error.backtrace || [] }
end

def call(method, path, body = nil, headers = {})
  request = method == :get ? Net::HTTP::Get.new(PREFIX + path) : Net::HTTP::Post.new(PREFIX + path, headers)
  request.body = body if body
  HTTP.request(request)
end

def load_handler(spec)
  root = ENV['LAMBDA_TASK_ROOT'] || Dir.pwd
  vendored_gems(root).each { |lib| $LOAD_PATH.unshift(lib) }
  file, dot, target = spec.to_s.partition('.')
  raise ArgumentError, "Bad handler #{spec}" if dot.empty? || target.empty?
  path = File.join(root, file)
  unless File.exist?("#{path}.rb")
    raise LoadError, "cannot load such file -- #{path}"
  end
  require path
  *owner, name = target.split('.')
  receiver = owner.empty? ? Object.new : owner.join('.').split('::').reduce(Object) { |mod, part| mod.const_get(part) }
  unless receiver.respond_to?(name, true)
    raise NameError, "undefined method `#{name}' for #{owner.empty? ? 'main' : owner.join('.')}"
  end
  [receiver, name]
end

begin
  receiver, name = load_handler(ENV['_HANDLER'])
rescue Exception => e # rubocop:disable Lint/RescueException
  type = e.is_a?(LoadError) ? 'Init<LoadError>' : e.is_a?(NameError) ? 'Runtime.HandlerNotFound' : "Init<#{e.class}>"
  doc = error_doc(e, type)
  puts JSON.generate(doc)
  call(:post, '/init/error', JSON.generate(doc), 'Lambda-Runtime-Function-Error-Type' => type)
  exit 1
end

loop do
  response = call(:get, '/invocation/next')
  headers = response.each_header.to_h
  request_id = headers['lambda-runtime-aws-request-id']
  ENV['_X_AMZN_TRACE_ID'] = headers['lambda-runtime-trace-id'] || ''
  begin
    event = response.body.nil? || response.body.empty? ? nil : JSON.parse(response.body)
    result = receiver.send(name, event: event, context: LambdaContext.new(headers))
    call(:post, "/invocation/#{request_id}/response", JSON.generate(result), 'Content-Type' => 'application/json')
  rescue StandardError, ScriptError, NotImplementedError => e
    doc = error_doc(e)
    $stdout.puts("#{Time.now.utc.iso8601(3)}\t#{request_id}\tERROR\t#{JSON.generate(doc)}")
    call(:post, "/invocation/#{request_id}/error", JSON.generate(doc), 'Lambda-Runtime-Function-Error-Type' => 'Unhandled')
  end
end
