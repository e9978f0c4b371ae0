import 'dart:async';
import 'package:http/http.dart' as http;

const int maxRetries = 3;

typedef Json = Map<String, dynamic>;

abstract class Repository<T> {
  Future<T?> find(String id);
  Future<void> save(T item);
}

enum Status { active, archived }

mixin Logging {
  void log(String message) => print('[${runtimeType}] $message');
}

class User {
  final String id;
  final String name;

  const User(this.id, this.name);

  factory User.fromJson(Json json) => User(json['id'] as String, json['name'] as String);
}

class HttpUserRepository extends BaseRepository with Logging implements Repository<User> {
  final http.Client client;

  HttpUserRepository(this.client);

  @override
  Future<User?> find(String id) async {
    final response = await client.get(Uri.parse('https://api.example.com/users/$id'));
    log('fetched $id');
    return response.statusCode == 200 ? User.fromJson(decode(response.body)) : null;
  }

  @override
  Future<void> save(User user) async {
    await retry(() => client.post(Uri.parse('https://api.example.com/users')));
  }
}

Json decode(String body) => {};

Future<T> retry<T>(Future<T> Function() action) async {
  return action();
}
