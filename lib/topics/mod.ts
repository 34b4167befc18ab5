/** @module Local publish/subscribe: topic names, MQTT-style matching and the subscription table. */
export { MAX_TOPIC_LENGTH, topicMatches, topicNameProblem, TopicNameSchema } from "./topic-name.ts";
export { type RouterSource, type SubscriberSettings, type Subscription, TopicRouter } from "./router.ts";
