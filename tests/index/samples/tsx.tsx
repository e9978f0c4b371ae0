import React, { useState } from "react";
import { Button } from "./ui/button";
import * as Icons from "./icons";

export interface TodoProps {
  title: string;
  onDone?: (id: number) => void;
}

type Filter = "all" | "open";

const PAGE_SIZE = 20;

export function TodoItem({ title, onDone }: TodoProps) {
  return (
    <li className="todo">
      <span>{title}</span>
      <Button onClick={() => onDone?.(1)}>done</Button>
      <Icons.Check size={12} />
    </li>
  );
}

export const TodoList = ({ items }: { items: TodoProps[] }) => {
  const [filter, setFilter] = useState<Filter>("all");
  const visible = items.slice(0, PAGE_SIZE);
  return (
    <ul>
      {visible.map((item) => (
        <TodoItem key={item.title} {...item} />
      ))}
    </ul>
  );
};

export default class Page extends React.Component<TodoProps> {
  render() {
    return <TodoList items={[]} />;
  }
}
