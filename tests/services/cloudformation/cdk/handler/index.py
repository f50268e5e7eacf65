def handler(event, context):
    return {"asset": True, "got": event}
